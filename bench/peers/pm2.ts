import fs from "node:fs";
import path from "node:path";
import { readPid, run, terminate, waitGone, type Peer } from "./common.ts";

/** One PM2 app at the fastest settings PM2 documents: no delay, no exponential backoff (left unset). */
export function pm2App(name: string, port: number, servicePath: string, node: string) {
  return {
    name,
    script: servicePath,
    interpreter: node,
    exec_mode: "fork",
    env: { PORT: String(port) },
    autorestart: true,
    restart_delay: 0,
    max_restarts: 1000,
  };
}

export function pm2(): Peer {
  let bin = "";
  let home = "";
  // PM2_HOME in the temp dir: the bench must not touch, or be confused by, a real ~/.pm2.
  const env = () => ({ ...process.env, PM2_HOME: home });
  const pm2 = (...args: string[]) => run(process.execPath, [bin, ...args], { env: env(), timeoutMs: 60_000 });

  return {
    name: "PM2",
    async ensure(root) {
      bin = path.join(root, "node_modules/pm2/bin/pm2");
      if (!fs.existsSync(bin)) {
        const r = await run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "pm2"], {
          cwd: root,
          timeoutMs: 300_000,
        });
        if (!fs.existsSync(bin)) return `npm install pm2 failed: ${r.stderr.trim().split("\n").pop() ?? ""}`;
      }
      return undefined;
    },

    async start(dir, port, servicePath, node) {
      home = dir;
      const app = pm2App("svc", port, servicePath, node);
      const file = path.join(dir, "ecosystem.config.json");
      fs.writeFileSync(file, JSON.stringify({ apps: [app] }));
      const r = await pm2("start", file);
      if (r.code !== 0) throw new Error(`pm2 start: ${r.stderr || r.stdout}`);
    },

    async servicePid() {
      const r = await pm2("jlist");
      // jlist can be preceded by daemon chatter; the JSON starts at the first bracket.
      const start = r.stdout.indexOf("[");
      if (r.code !== 0 || start < 0) return undefined;
      try {
        const list = JSON.parse(r.stdout.slice(start)) as { name: string; pid?: number }[];
        const pid = list.find((p) => p.name === "svc")?.pid;
        return pid ? pid : undefined;
      } catch {
        return undefined;
      }
    },

    daemonPid: () => readPid(path.join(home, "pm2.pid")),

    async stop() {
      if (!home) return;
      const daemon = readPid(path.join(home, "pm2.pid"));
      await pm2("kill");
      await waitGone(daemon, 10_000);
      await terminate(daemon);
    },
  };
}
