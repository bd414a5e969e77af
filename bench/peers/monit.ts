import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { aptInstall, onPath, readPid, run, terminate, waitFor, waitGone, type Peer } from "./common.ts";

export function monit(): Peer {
  let rc = "";
  let dir = "";
  let child: ChildProcess | undefined;
  let exited = Promise.resolve();
  const svcPidfile = () => path.join(dir, "svc.pid");

  return {
    name: "Monit",
    async ensure() {
      if (!onPath("setsid")) return "setsid (util-linux) not on PATH";
      if (onPath("monit")) return undefined;
      return (await aptInstall()) ?? (onPath("monit") ? undefined : "monit not on PATH after install");
    },

    async start(d, port, servicePath, node) {
      dir = d;
      rc = path.join(dir, "monitrc");
      // Monit splits program strings on blanks itself (no shell), so a path with one cannot be quoted.
      if ([dir, servicePath, node].some((p) => /[\s"]/.test(p)))
        throw new Error("paths with blanks or quotes");
      const env = onPath("env") ?? "/usr/bin/env";
      const pkill = onPath("pkill");
      // Monit waits for a start program to exit, so the service must detach: setsid -f forks it off.
      const start = [
        onPath("setsid") ?? "setsid",
        "-f",
        env,
        `PORT=${port}`,
        `PID_FILE=${svcPidfile()}`,
        node,
        servicePath,
      ];
      fs.writeFileSync(
        rc,
        [
          "set daemon 1",
          `set logfile ${path.join(dir, "monit.log")}`,
          `set pidfile ${path.join(dir, "monit.pid")}`,
          `set idfile ${path.join(dir, "monit.id")}`,
          `set statefile ${path.join(dir, "monit.state")}`,
          `set httpd unixsocket ${path.join(dir, "monit.sock")}`,
          `  allow bench:"${randomBytes(12).toString("hex")}"`,
          `check process svc with pidfile ${svcPidfile()}`,
          `  start program = "${start.join(" ")}" with timeout 10 seconds`,
          // SIGKILL: a hung process cannot run its SIGTERM handler, and Monit would wait out the timeout.
          ...(pkill ? [`  stop program = "${pkill} -KILL -F ${svcPidfile()}"`] : []),
          // Monit's fastest: a 1 s cycle and a 1 s timeout (its smallest), two failed cycles then restart.
          `  if failed host 127.0.0.1 port ${port} protocol http request "/health" with timeout 1 seconds for 2 cycles then restart`,
          "",
        ].join("\n"),
        { mode: 0o600 },
      );
      // The detached service is orphaned on every start and Monit waits to see its pid gone, so the
      // reaper matters: this machine's PID 1 leaves zombies for a second or more, where systemd would
      // reap at once. tini -s stands in for that init so the figure is Monit's, not this VM's.
      const tini = onPath("tini");
      const argv = [...(tini ? [tini, "-s", "--"] : []), onPath("monit") ?? "monit", "-I", "-c", rc];
      if (!tini) console.error("monit: tini not found; orphans are reaped by PID 1, which may be slow");
      const c = spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
      child = c;
      exited = new Promise((r) => c.once("exit", () => r()));
      if ((await waitFor(() => readPid(path.join(dir, "monit.pid")), 10_000)) === undefined) {
        const log = fs.existsSync(path.join(dir, "monit.log"))
          ? fs.readFileSync(path.join(dir, "monit.log"), "utf8")
          : "";
        throw new Error(`monit did not start: ${log.slice(-500)}`);
      }
    },

    async servicePid() {
      return readPid(svcPidfile());
    },

    daemonPid: () => (dir ? readPid(path.join(dir, "monit.pid")) : undefined),

    async stop() {
      if (!child) return;
      const daemon = readPid(path.join(dir, "monit.pid"));
      await run(onPath("monit") ?? "monit", ["-c", rc, "quit"], { timeoutMs: 15_000 });
      await waitGone(daemon, 10_000);
      await terminate(daemon);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      // Monit quits without stopping what it watches; the service is ours to end.
      await terminate(readPid(svcPidfile()));
    },
  };
}
