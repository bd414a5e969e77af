import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { vigilBin } from "../agent-process.ts";
import { freePort, run, type Peer } from "./common.ts";

export function vigil(): Peer {
  let root = "";
  let agent: ChildProcess | undefined;
  let url = "";
  let token = "";

  return {
    name: "Vigil",
    async ensure(r) {
      root = r;
      return undefined;
    },

    async start(dir, port, servicePath, node) {
      const agentPort = await freePort();
      url = `http://127.0.0.1:${agentPort}`;
      const file = path.join(dir, "vigil.yaml");
      fs.writeFileSync(
        file,
        [
          `agent: { listen: "127.0.0.1:${agentPort}", data_dir: ./data }`,
          `services:`,
          `  svc:`,
          `    command: [${JSON.stringify(node)}, ${JSON.stringify(servicePath)}]`,
          `    env: { PORT: "${port}" }`,
          `    port: ${port}`,
          `    restart: { backoff: { initial: 0ms, max: 1s }, max_restarts: 1000, window: 1m, min_uptime: 1s }`,
          // A hung process gets no grace: SIGTERM then SIGKILL at once, as Monit's stop program below does.
          `    stop: { timeout: 0ms }`,
          // The settings for the hung-service comparison; flapping off so 20 incidents stay incidents.
          `    health:`,
          `      http: { url: "http://127.0.0.1:${port}/health" }`,
          `      every: 250ms`,
          `      timeout: 200ms`,
          `      fail_after: 2`,
          `      flap: { max_changes: 1000 }`,
          // The peers restart without limit; Vigil's guardrails (3 attempts per incident, and a relapse
          // within 10 minutes is the same incident) would escalate by the 4th hang instead.
          `remediation: { max_attempts: 100, cooldown: 0s, max_actions_per_hour: 10000 }`,
          ``,
        ].join("\n"),
      );
      // A bad key would otherwise surface as an agent that never says it is up.
      const check = await run(process.execPath, [vigilBin, "config", "check", "-c", file], { cwd: root });
      if (check.code !== 0) throw new Error(`vigil config check: ${check.stdout}${check.stderr}`);

      // As users run it: `vigil up` applies the flags of bin/runtime.js itself.
      const child = spawn(process.execPath, [vigilBin, "up", "-c", file], {
        cwd: root,
        stdio: ["ignore", "ignore", "pipe"],
      });
      agent = child;
      let stderr = "";
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`vigil: not up after 20 s: ${stderr.slice(-500)}`)),
          20_000,
        );
        // Kept reading after start-up too: a full pipe would stall the agent mid-benchmark.
        child.stderr?.on("data", (b: Buffer) => {
          stderr = (stderr + b.toString()).slice(-4_000);
          if (stderr.includes("agent up at")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once("exit", (code, sig) => {
          clearTimeout(timer);
          reject(new Error(`vigil exited (${code ?? sig}): ${stderr.slice(-500)}`));
        });
      });
      token = fs.readFileSync(path.join(dir, "data", "admin.token"), "utf8").trim();
    },

    async servicePid() {
      try {
        const res = await fetch(`${url}/api/targets/svc`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(1_000),
        });
        const body = (await res.json()) as { pid?: number | null };
        return body.pid ?? undefined;
      } catch {
        return undefined;
      }
    },

    daemonPid: () => agent?.pid,

    async stop() {
      const child = agent;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
