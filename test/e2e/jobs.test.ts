/**
 * Scheduled jobs on the real agent: a cron with seconds runs through the gateway as job:<name>; a
 * run still going at the next time is skipped; a failing job opens a job_failed incident and a
 * real webhook receiver on 127.0.0.1 is told; `vigil jobs` and the API show them; the agent's stop
 * leaves nothing running; a time missed while it was down is recorded and caught up once.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteDb } from "../../src/store/sqlite/db.ts";
import { api, startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { closeReceivers, receiver } from "../helpers/receiver.ts";
import { cli } from "../helpers/remediation.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.stop("SIGKILL");
  agent = undefined;
  await closeReceivers();
});

interface Job {
  name: string;
  next_run: number | null;
  last_run: number | null;
  last_result: string | null;
  last_detail: string | null;
  running: boolean;
}

interface Ev {
  seq: number;
  ts: number;
  type: string;
  subject: string;
  actor: string;
  payload: Record<string, unknown>;
}

async function events(a: RunningAgent): Promise<Ev[]> {
  const body = (await (await api(a, "/api/audit?limit=5000")).json()) as {
    events: (Omit<Ev, "payload"> & { payload: string | object })[];
  };
  return body.events.map((e) => ({
    ...e,
    payload: (typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload) as Record<string, unknown>,
  }));
}

const of = (evs: Ev[], type: string, subject?: string) =>
  evs.filter((e) => e.type === type && (subject === undefined || e.subject === subject));

/** What the webhook was told, one entry per fact (a grouped message tells several). */
const toldTo = (hits: { body: string }[]) =>
  hits
    .map(
      (h) => JSON.parse(h.body) as { title: string; text: string; items?: { title: string; text: string }[] },
    )
    .flatMap((b) => b.items ?? [b]);

const jobsOf = async (a: RunningAgent) =>
  ((await (await api(a, "/api/jobs")).json()) as { jobs: Job[] }).jobs;

describe("scheduled jobs", () => {
  it("run every second through the gateway as job:<name>, skip an overlap, and a failure is an incident people hear of", async () => {
    const hook = await receiver();
    agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
auth: { tokens: [{ name: viewer, role: viewer, token: viewer-token-0123456789 }] }
notify:
  channels: { hook: { webhook: { url: "${hook.url}/vigil" } } }
  routes: [{ to: [hook] }]
  group_wait: 100ms
actions:
  tick: { run: ["true"], risk: auto }
  slow: { run: ["sleep", "2.5"], risk: auto }
  boom: { run: ["sh", "-c", "echo pg_dump: connection refused >&2; exit 3"], risk: auto }
jobs:
  tick: { cron: "*/1 * * * * *", action: tick }
  slow: { cron: "*/1 * * * * *", action: slow, overlap: skip }
  boom: { cron: "*/2 * * * * *", action: boom, timezone: Europe/Amsterdam }
`);
    const a = agent;
    // Runs through the gateway: audited as asked for by the job.
    await expect
      .poll(async () => of(await events(a), "action.finished").filter((e) => e.actor === "job:tick").length, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    const requested = of(await events(a), "action.requested").find((e) => e.actor === "job:tick");
    expect(requested?.payload).toMatchObject({ action: "tick", reason: "scheduled job tick", risk: "auto" });
    const runs = (
      (await (await api(a, "/api/actions/runs?limit=1000")).json()) as {
        runs: { action: string; requested_by: string; status: string }[];
      }
    ).runs;
    expect(runs.find((r) => r.action === "tick")).toMatchObject({
      requested_by: "job:tick",
      status: "succeeded",
    });

    // Overlap skip: while the 2.5 s run goes on, the next seconds are skipped, and it never runs twice at once.
    await expect
      .poll(async () => of(await events(a), "job.skipped", "job:slow").length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    const skipped = of(await events(a), "job.skipped", "job:slow")[0]!;
    expect(skipped.payload.reason).toMatch(/^the run started at \S+ is still running \(overlap: skip\)$/);
    const starts = of(await events(a), "job.started", "job:slow").map((e) => e.ts);
    const finishes = of(await events(a), "job.finished", "job:slow").map((e) => e.ts);
    // Each start after the first comes after the previous run finished.
    for (let i = 1; i < starts.length; i++) expect(starts[i]!).toBeGreaterThanOrEqual(finishes[i - 1]!);

    // The failing job: one job_failed incident, and the webhook is told what failed.
    await expect
      .poll(() => toldTo(hook.hits).map((b) => b.title), { timeout: 15_000 })
      .toContain("the job boom failed");
    const told = toldTo(hook.hits).find((b) => b.title === "the job boom failed")!;
    expect(told.text).toMatch(
      /^the job boom failed: boom failed: exit code 3 \(pg_dump: connection refused\)\. It stays an open incident until a run succeeds\. Incident [0-9a-f-]{36}\.$/,
    );
    const incidents = (
      (await (await api(a, "/api/incidents?status=open")).json()) as {
        incidents: { target: string; failure_class: string }[];
      }
    ).incidents;
    expect(incidents.filter((i) => i.target === "job:boom")).toEqual([
      expect.objectContaining({ failure_class: "job_failed" }),
    ]);
    // Failing again adds to it, it does not open another.
    await expect
      .poll(async () => of(await events(a), "job.finished", "job:boom").length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    expect(of(await events(a), "incident.opened", "job:boom")).toHaveLength(1);

    // What vigil jobs and the API show.
    const jobs = await jobsOf(a);
    expect(jobs.map((j) => j.name)).toEqual(["boom", "slow", "tick"]);
    const boom = jobs.find((j) => j.name === "boom")!;
    expect(boom.last_result).toBe("failed");
    expect(boom.next_run).toBeGreaterThan(Date.now() - 1_000);
    const listed = await cli(a, ["jobs"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^NAME\s+SCHEDULE\s+ACTION\s+NEXT RUN\s+LAST RUN\s+LAST RESULT\s+DETAIL$/m);
    expect(listed.stdout).toMatch(
      /^boom\s+\*\/2 \* \* \* \* \* \(Europe\/Amsterdam\)\s+boom\s+\S+Z\s+\S+Z\s+(failed|running)\s/m,
    );
    expect(listed.stdout).toMatch(/^tick\s+\*\/1 \* \* \* \* \*\s+tick\s/m);

    // Run now: an operator may, a viewer may not; a run in progress is a conflict.
    const viewer = await api(a, "/api/jobs/tick/run", { method: "POST", token: "viewer-token-0123456789" });
    expect(viewer.status).toBe(403);
    expect((await api(a, "/api/jobs", { token: "viewer-token-0123456789" })).status).toBe(200);
    expect((await api(a, "/api/jobs/ghost/run", { method: "POST" })).status).toBe(404);
    await expect
      .poll(async () => (await api(a, "/api/jobs/slow/run", { method: "POST" })).status, { timeout: 5_000 })
      .toBe(409);

    // The stop leaves nothing running: the slow run's sleep goes with it, and no timer holds the exit.
    const left = await stopCleanly(a);
    agent = undefined;
    expect(left).toEqual([]);
    expect((await a.stop()).code).toBe(0);
  }, 60_000);

  it("a time missed while the agent was down is recorded at the next start and caught up once", async () => {
    const yaml = `agent: { listen: "127.0.0.1:0" }
actions:
  tick: { run: ["true"], risk: auto }
jobs:
  hourly: { cron: "0 * * * *", action: tick, catch_up: once }
  daily: { cron: "30 2 * * *", action: tick }
`;
    agent = await startAgent(yaml);
    const { dir } = agent;
    expect(await stopCleanly(agent)).toEqual([]);
    agent = undefined;
    // Three hours and a day of downtime, as the store remembers it.
    const hour = 3_600_000;
    const hourlyFrom = Math.floor(Date.now() / hour) * hour - 3 * hour + 60_000;
    const db = new SqliteDb(path.join(dir, ".vigil", "vigil.db"));
    await db.run("UPDATE jobs SET scheduled_at = ? WHERE name = 'hourly'", [hourlyFrom]);
    await db.run("UPDATE jobs SET scheduled_at = scheduled_at - ? WHERE name = 'daily'", [24 * hour]);
    await db.close();

    agent = await startAgent(yaml, { dir });
    const a = agent;
    await expect
      .poll(async () => of(await events(a), "job.finished", "job:hourly").length, { timeout: 10_000 })
      .toBe(1);
    const missed = of(await events(a), "job.missed");
    expect(missed.map((m) => [m.subject, m.payload.catch_up])).toEqual([
      ["job:hourly", "once"],
      ["job:daily", "none"],
    ]);
    // Every hour start after the stored time, up to the start: three, or four across an hour's turn.
    const upTo = Math.floor(missed[0]!.ts / hour) * hour;
    expect(missed[0]!.payload).toMatchObject({
      count: (upTo - (hourlyFrom - 60_000)) / hour,
      first: hourlyFrom - 60_000 + hour,
      last: upTo,
    });
    expect(missed[1]!.payload.count).toBe(1);
    expect(of(await events(a), "job.started").map((e) => [e.subject, e.payload.trigger])).toEqual([
      ["job:hourly", "catch_up"],
    ]);
    expect(of(await events(a), "action.finished").filter((e) => e.actor === "job:hourly")).toHaveLength(1);
    expect((await jobsOf(a)).find((j) => j.name === "hourly")).toMatchObject({ last_result: "succeeded" });
    expect(await stopCleanly(a)).toEqual([]);
    agent = undefined;

    // Dealt with: the next start has nothing missed to record.
    agent = await startAgent(yaml, { dir });
    expect(of(await events(agent), "job.missed")).toHaveLength(2);
  }, 60_000);

  it("a job whose action needs approval asks for it as job:<name> and waits; its timeout holds; a reload adds and removes jobs", async () => {
    const yaml = (jobs: string) => `agent: { listen: "127.0.0.1:0" }
actions:
  guarded: { run: ["true"], risk: approve }
  tick: { run: ["true"], risk: auto }
  long: { run: ["sleep", "30"], risk: auto, timeout: 1m }
jobs:
${jobs}`;
    agent = await startAgent(
      yaml(`  guarded: { cron: "*/1 * * * * *", action: guarded }
  short: { cron: "*/1 * * * * *", action: long, timeout: 300ms }
`),
    );
    const a = agent;
    type Approval = { id: string; action: string; requested_by: string; status: string };
    const pending = async () =>
      ((await (await api(a, "/api/approvals?status=pending")).json()) as { approvals: Approval[] }).approvals;
    await expect.poll(async () => (await pending()).length, { timeout: 10_000 }).toBe(1);
    // Still one: the job waits for its approval, and the seconds that come meanwhile are skipped.
    await expect
      .poll(async () => of(await events(a), "job.skipped", "job:guarded").length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    const [approval] = await pending();
    expect(approval).toMatchObject({ action: "guarded", requested_by: "job:guarded" });
    expect(of(await events(a), "job.skipped", "job:guarded")[0]!.payload.reason).toMatch(
      /is still waiting for approval \(overlap: skip\)$/,
    );
    expect((await jobsOf(a))[0]).toMatchObject({ last_result: "waiting", running: true });
    const decided = await api(a, `/api/approvals/${approval!.id}/approve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(decided.status).toBe(200);
    await expect.poll(async () => (await jobsOf(a))[0]!.last_result, { timeout: 10_000 }).toBe("succeeded");
    expect(of(await events(a), "action.finished").filter((e) => e.actor === "job:guarded")).toHaveLength(1);
    // The job's timeout holds in place of the action's minute.
    await expect
      .poll(async () => of(await events(a), "job.finished", "job:short")[0]?.payload.detail, {
        timeout: 10_000,
      })
      .toMatch(/^long failed: timed out after \d+ ms/);

    // A reload: the guarded job goes, a new one comes and runs.
    fs.writeFileSync(a.configFile, yaml('  added: { cron: "*/1 * * * * *", action: tick }\n'));
    expect((await api(a, "/api/reload", { method: "POST" })).status).toBe(200);
    expect((await jobsOf(a)).map((j) => j.name)).toEqual(["added"]);
    await expect
      .poll(async () => of(await events(a), "job.finished", "job:added").length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    expect(await stopCleanly(a)).toEqual([]);
    agent = undefined;
  }, 60_000);
});
