/**
 * Approvals decided on another agent of a fleet: two real agents on one PostgreSQL schema. A request
 * web-1 queued (a restart of its own service, an approve-tier action) is approved through web-2's API
 * or CLI; the run happens on web-1, never on web-2, and shows from either. Approved while web-1 is
 * stopped, it runs when web-1 is back.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/tmp.ts";

const schema = testSchema("vigil_fleet_appr");
const agents: RunningAgent[] = [];
const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");
const shared = tempDir("vigil-fleet-appr-");
const marker = path.join(shared, "ran");
const pidFile = path.join(shared, "api-1.pid");
const tokens = { claude: "agent-token-0123456789", olga: "operator-token-0123456789" };

const yaml = (
  name: string,
  services = "",
) => `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
auth:
  tokens:
    - { name: claude, role: agent, token: ${tokens.claude} }
    - { name: olga, role: operator, token: ${tokens.olga} }
actions:
  mark: { run: ["sh", "-c", "echo ${name} >> '${marker}'"], risk: approve }
${services}`;

const web1Yaml = yaml(
  "web-1",
  `services:
  api-1:
    command: ["${process.execPath}", "${fixture}"]
    env: { PID_FILE: "${pidFile}" }
    stop: { timeout: 2s }
`,
);

interface Approval {
  id: string;
  status: string;
  agent: string | null;
  run_state: string | null;
  run_id: string | null;
  decisions: { by: string; decision: string }[];
}

async function ask(a: RunningAgent, action: string, target?: string): Promise<string> {
  const res = await api(a, `/api/actions/${action}/run`, {
    method: "POST",
    token: tokens.claude,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ params: {}, reason: "fleet test", ...(target ? { target } : {}) }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { approval_id: string }).approval_id;
}

async function decide(a: RunningAgent, id: string, decision: "approve" | "reject"): Promise<Approval> {
  const res = await api(a, `/api/approvals/${id}/${decision}`, {
    method: "POST",
    token: tokens.olga,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ note: "from the other agent" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Approval;
}

async function approval(a: RunningAgent, id: string): Promise<Approval> {
  return (await (await api(a, `/api/approvals/${id}`)).json()) as Approval;
}

async function runOf(a: RunningAgent, id: string) {
  const runId = (await approval(a, id)).run_id;
  if (!runId) return undefined;
  const run = (await (await api(a, `/api/actions/runs/${runId}`)).json()) as {
    status: string;
    agent: string;
  };
  return run.status === "running" ? undefined : run;
}

const readPid = () => (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, "utf8") : "");

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
  fs.rmSync(shared, { recursive: true, force: true });
});

describe("approvals decided on another agent of the fleet", () => {
  it("run on the agent that asked, never on the deciding one; one approved while it was down runs when it is back", async () => {
    const web1Dir = tempDir("vigil-fleet-appr-1-");
    let one = await startAgent(web1Yaml, { dir: web1Dir, timeoutMs: 60_000 });
    agents.push(one);
    const two = await startAgent(yaml("web-2"), { dir: tempDir("vigil-fleet-appr-2-"), timeoutMs: 60_000 });
    agents.push(two);
    await expect.poll(readPid, { timeout: 30_000 }).toMatch(/^\d+$/);
    const firstPid = readPid();

    // A restart of web-1's service, asked by an assistant on web-1, approved by a person on web-2.
    const restart = await ask(one, "restart", "api-1");
    const answer = await decide(two, restart, "approve");
    expect(answer).toMatchObject({ status: "approved", agent: "web-1", run_state: "queued", run_id: null });
    await expect
      .poll(() => runOf(two, restart), { timeout: 30_000 })
      .toMatchObject({
        status: "succeeded",
        agent: "web-1",
      });
    await expect.poll(readPid, { timeout: 30_000 }).not.toBe(firstPid);
    expect(await approval(two, restart)).toMatchObject({ status: "approved", run_state: "started" });
    expect(await approval(one, restart)).toMatchObject({ status: "approved", run_state: "started" });

    // The audit names where it was decided and where it ran.
    const audit = (await (await api(two, "/api/audit?limit=1000")).json()) as {
      events: { type: string; actor: string; payload: Record<string, unknown> }[];
    };
    const about = audit.events.filter((e) => e.payload.approval_id === restart);
    expect(about.find((e) => e.type === "approval.decided")).toMatchObject({
      actor: "olga",
      payload: { status: "approved", agent: "web-2", runs_on: "web-1" },
    });
    expect(about.filter((e) => e.type === "action.requested").map((e) => e.payload.agent)).toEqual(["web-1"]);

    // Rejected on web-2: recorded for both, never run.
    const rejected = await ask(one, "mark");
    expect(await decide(two, rejected, "reject")).toMatchObject({ status: "rejected", run_state: null });
    expect(await approval(one, rejected)).toMatchObject({ status: "rejected", run_id: null });

    // Approved with `vigil approve` against web-2 while web-1 is stopped: queued, then run by web-1
    // when it starts again (the request has not expired).
    const mark = await ask(one, "mark");
    await one.stop("SIGTERM");
    const cli = await runCli(["approve", mark], { env: { VIGIL_URL: two.url, VIGIL_TOKEN: tokens.olga } });
    expect(cli.stdout).toContain(`${mark}: approved; mark is queued on agent web-1, which runs it`);
    expect(cli.code).toBe(0);
    expect(await approval(two, mark)).toMatchObject({ status: "approved", run_state: "queued" });
    expect(fs.existsSync(marker)).toBe(false);

    one = await startAgent(web1Yaml, { dir: web1Dir, timeoutMs: 60_000 });
    agents.push(one);
    await expect
      .poll(() => runOf(two, mark), { timeout: 30_000 })
      .toMatchObject({
        status: "succeeded",
        agent: "web-1",
      });
    expect(fs.readFileSync(marker, "utf8")).toBe("web-1\n");
  }, 240_000);
});
