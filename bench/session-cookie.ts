/**
 * What a dashboard session costs per request: a real agent on SQLite, one login, then N sequential
 * `GET /api/targets` with the session cookie, alternating with the same request by bearer token.
 * Prints median and p99 latency in ms of each.
 *
 *   node bench/session-cookie.ts [N=2000]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBenchAgent } from "./agent-process.ts";

const n = Number(process.argv[2] ?? 2_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-sessions-"));
const configFile = path.join(dir, "vigil.yaml");
fs.writeFileSync(
  configFile,
  `agent: { listen: "127.0.0.1:0", data_dir: "${dir}" }\nchecks:\n  web: { tcp: { host: 127.0.0.1, port: 9 }, every: 1h }\n`,
);
const agent = await startBenchAgent(configFile, dir);
try {
  const login = await fetch(`${agent.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: agent.token }),
  });
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  // Cookie and bearer requests alternate, so the machine's noise falls on both alike.
  const kinds = { cookie: { cookie }, bearer: { authorization: `Bearer ${agent.token}` } };
  const run = async (label: string) => {
    const ms = { cookie: [] as number[], bearer: [] as number[] };
    for (let i = 0; i < n; i++) {
      for (const kind of ["cookie", "bearer"] as const) {
        const t = performance.now();
        const res = await fetch(`${agent.url}/api/targets`, { headers: kinds[kind] });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${kind}: ${res.status}`);
        ms[kind].push(performance.now() - t);
      }
    }
    for (const kind of ["cookie", "bearer"] as const) {
      const sorted = ms[kind].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(n - 1, Math.floor(q * n))]!.toFixed(3);
      console.log(`${label} ${kind}: ${n} requests, median ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    }
  };
  await run("warm-up");
  await run("measured");
} finally {
  await agent.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
