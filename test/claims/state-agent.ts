/**
 * The Vigil side of the claims machine: a real agent whose targets and runs are in known states
 * (a healthy service and a dead one, a passing and a failing check, actions, jobs and backups that
 * succeeded and failed, each run once through the API by an operator) and whose
 * governance.verify lists the machine's allowed folder and hosts.
 *
 * How the agent is started is passed in: the test uses test/helpers/agent.ts, the benchmark
 * bench/agent-process.ts (the test helpers load vitest, which a plain node process cannot).
 */
import { DatabaseSync } from "node:sqlite";
import path from "node:path";

export interface AgentHandle {
  url: string;
  /** The admin token. */
  token: string;
  stop(): Promise<unknown>;
}

/** Writes the config to `dir/vigil.yaml` (data_dir `dir/data`) and starts `vigil up` on it. */
export type StartAgent = (yaml: string, dir: string) => Promise<AgentHandle>;

export const tokens = {
  /** The role an AI assistant has: what POST /api/verify is called with. */
  agent: "claims-agent-token-0123456789",
  operator: "claims-operator-token-0123456789",
};

const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");

export interface AgentSpec {
  dir: string;
  /** The healthy service `api` listens here. */
  apiPort: number;
  /** The failing check `db-ping` connects here: nothing listens. */
  dbPort: number;
  /** governance.verify.paths. */
  verifyPaths: string[];
  verifyHosts: string[];
}

function config(s: AgentSpec): string {
  const db = path.join(s.dir, "app.db");
  const d = new DatabaseSync(db);
  d.exec("create table users (id integer primary key, name text); insert into users (name) values ('a')");
  d.close();
  const never = "0 3 1 1 *"; // a time far off: the jobs run only when an operator asks
  return `agent: { name: claims, listen: "127.0.0.1:0", data_dir: ./data }
auth:
  tokens:
    - { name: claude, role: agent, token: ${tokens.agent} }
    - { name: olga, role: operator, token: ${tokens.operator} }
services:
  api:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${s.apiPort}" }
    port: ${s.apiPort}
    stop: { timeout: 1s }
    health:
      http: { url: "http://127.0.0.1:${s.apiPort}/health" }
      every: 500ms
      start_period: 2s
      expect: ["[STATUS] == 200", "[BODY].status == ok"]
  crashy:
    command: ["${process.execPath}", "${fixture}"]
    env: { CRASH_AFTER: "100" }
    restart: { policy: never }
    stop: { timeout: 1s }
checks:
  db-ping: { tcp: { host: 127.0.0.1, port: ${s.dbPort} }, every: 500ms }
  api-port: { tcp: { host: 127.0.0.1, port: ${s.apiPort} }, every: 500ms }
actions:
  say-hello: { run: ["printf", "hello"], risk: auto }
  rotate-logs: { run: ["false"], risk: auto }
  deploy: { run: ["true"], risk: approve }
  db-backup:
    backup: { source: { sqlite: "${db}" }, to: "${path.join(s.dir, "backups")}", keep: { last: 3 } }
    risk: auto
  bad-backup:
    backup: { source: { sqlite: "${path.join(s.dir, "no-such.db")}" }, to: "${path.join(s.dir, "backups-bad")}", keep: { last: 3 } }
    risk: auto
jobs:
  nightly-report: { cron: "${never}", action: say-hello }
  sync-mirror: { cron: "${never}", action: rotate-logs }
governance:
  verify:
    paths: [${s.verifyPaths.map((p) => JSON.stringify(p)).join(", ")}]
    hosts: [${s.verifyHosts.map((h) => JSON.stringify(h)).join(", ")}]
`;
}

async function call(a: AgentHandle, p: string, token: string, method = "GET"): Promise<unknown> {
  const res = await fetch(a.url + p, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(method === "POST" ? { body: "{}" } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Polls `f` every 50 ms until it returns a value; fails naming `what` after `ms`. */
async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`claims state: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stateOf = async (a: AgentHandle, name: string) =>
  ((await call(a, `/api/targets/${name}`, a.token)) as { state: string }).state;

/**
 * Starts the agent and brings it to the known state: `api` up, `crashy` down for good, `db-ping`
 * failing, `api-port` passing; say-hello and db-backup run once and succeeded, rotate-logs and
 * bad-backup run once and failed, deploy never ran; job nightly-report ran and succeeded, sync-mirror
 * ran and failed.
 */
export async function startClaimsAgent(spec: AgentSpec, start: StartAgent): Promise<AgentHandle> {
  const agent = await start(config(spec), spec.dir);
  try {
    const op = tokens.operator;
    const runs: Record<string, string> = {};
    for (const action of ["say-hello", "rotate-logs", "db-backup", "bad-backup"]) {
      const run = (await call(agent, `/api/actions/${action}/run`, op, "POST")) as { status: string };
      runs[action] = run.status;
    }
    const expected = { "say-hello": "succeeded", "rotate-logs": "failed", "db-backup": "succeeded" };
    for (const [action, status] of Object.entries(expected))
      if (runs[action] !== status)
        throw new Error(`claims state: action ${action} ended ${runs[action]}, expected ${status}`);
    if (runs["bad-backup"] === "succeeded") throw new Error("claims state: bad-backup succeeded");

    for (const job of ["nightly-report", "sync-mirror"])
      await call(agent, `/api/jobs/${job}/run`, op, "POST");
    const jobs = await until("both jobs to finish", async () => {
      const { jobs } = (await call(agent, "/api/jobs", agent.token)) as {
        jobs: { name: string; running: boolean; last_result: string | null }[];
      };
      const done = jobs.filter((j) => !j.running && j.last_result !== null);
      return done.length === 2 ? done : undefined;
    });
    const results = Object.fromEntries(jobs.map((j) => [j.name, j.last_result]));
    if (results["nightly-report"] !== "succeeded" || results["sync-mirror"] !== "failed")
      throw new Error(`claims state: jobs ended ${JSON.stringify(results)}`);

    const wanted: Record<string, string[]> = {
      api: ["up"],
      "api-port": ["up"],
      "db-ping": ["down"],
      crashy: ["down", "failed"],
    };
    for (const [name, states] of Object.entries(wanted))
      await until(`${name} to be ${states.join(" or ")}`, async () =>
        states.includes(await stateOf(agent, name)) ? true : undefined,
      );
    return agent;
  } catch (e) {
    await agent.stop();
    throw e;
  }
}
