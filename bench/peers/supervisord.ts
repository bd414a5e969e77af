import fs from "node:fs";
import path from "node:path";
import { aptInstall, onPath, readPid, run, terminate, waitFor, waitGone, type Peer } from "./common.ts";

export function supervisord(): Peer {
  let conf = "";
  let pidfile = "";
  const ctl = (...args: string[]) => run("supervisorctl", ["-c", conf, ...args], { timeoutMs: 30_000 });

  return {
    name: "supervisord",
    async ensure() {
      if (onPath("supervisord") && onPath("supervisorctl")) return undefined;
      return (
        (await aptInstall()) ?? (onPath("supervisord") ? undefined : "supervisord not on PATH after install")
      );
    },

    async start(dir, port, servicePath, node) {
      conf = path.join(dir, "supervisord.conf");
      pidfile = path.join(dir, "supervisord.pid");
      const sock = path.join(dir, "supervisor.sock");
      fs.writeFileSync(
        conf,
        [
          "[unix_http_server]",
          `file=${sock}`,
          "chmod=0700",
          "[supervisord]",
          `logfile=${path.join(dir, "supervisord.log")}`,
          `pidfile=${pidfile}`,
          `childlogdir=${dir}`,
          "nodaemon=false",
          // As root, supervisord refuses to guess who it should run as.
          ...(process.getuid?.() === 0 ? ["user=root"] : []),
          "[rpcinterface:supervisor]",
          "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
          "[supervisorctl]",
          `serverurl=unix://${sock}`,
          "[program:svc]",
          `command=${node} ${servicePath}`,
          `environment=PORT="${port}"`,
          "autostart=true",
          "autorestart=true",
          // startsecs=0: RUNNING at once, so a quick death is a restart, never a retry count towards FATAL.
          "startsecs=0",
          "startretries=1000",
          `stdout_logfile=${path.join(dir, "svc.log")}`,
          "redirect_stderr=true",
          "",
        ].join("\n"),
      );
      const r = await run("supervisord", ["-c", conf], { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`supervisord: ${r.stderr || r.stdout}`);
      if ((await waitFor(() => readPid(pidfile), 10_000)) === undefined)
        throw new Error("supervisord wrote no pidfile");
    },

    async servicePid() {
      const pid = Number((await ctl("pid", "svc")).stdout.trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    },

    daemonPid: () => readPid(pidfile),

    async stop() {
      if (!conf) return;
      const daemon = readPid(pidfile);
      await ctl("shutdown");
      await waitGone(daemon, 15_000);
      await terminate(daemon);
    },
  };
}
