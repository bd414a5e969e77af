/**
 * A scheduled job waiting on an approval decided on another agent of a fleet: two real agents on one
 * PostgreSQL schema. web-1's job asks to run an approve-tier action; a person rejects it through
 * web-2, and web-1's job records the rejection (who, and their note) without a restart, as it does
 * one made on web-1; approved through web-2, the run happens on web-1 and the job succeeds.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/tmp.ts";

const schema = testSchema("vigil_fleet_jobappr");
const agents: RunningAgent[] = [];
const shared = tempDir("vigil-fleet-jobappr-");
const marker = path.join(shared, "ran");
const operator = "operator-token-0123456789";

const yaml = (
  name: string,
  jobs = "",
) => `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
auth:
  tokens:
    - { name: olga, role: operator, token: ${operator} }
actions:
  mark: { run: ["sh", "-c", "echo ${name} >> '${marker}'"], risk: approve }
${jobs}`;

interface Job {
  name: string;
  last_result: string | null;
  last_detail: string | null;
  running: boolean;
}

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
  fs.rmSync(shared, { recursive: true, force: true });
});

const job = async (a: RunningAgent) =>
  ((await (await api(a, "/api/jobs")).json()) as { jobs: Job[] }).jobs[0]!;

/** Runs web-1's job now and returns the approval it waits on, as web-2 lists it. */
async function runAndWait(one: RunningAgent, two: RunningAgent): Promise<string> {
  expect((await api(one, "/api/jobs/guarded/run", { method: "POST" })).status).toBe(202);
  await expect.poll(async () => (await job(one)).last_result, { timeout: 30_000 }).toBe("waiting");
  const pending = async () =>
    (
      (await (await api(two, "/api/approvals?status=pending")).json()) as {
        approvals: { id: string; requested_by: string }[];
      }
    ).approvals.filter((a) => a.requested_by === "job:guarded");
  await expect.poll(async () => (await pending()).length, { timeout: 30_000 }).toBe(1);
  return (await pending())[0]!.id;
}

async function decide(a: RunningAgent, id: string, decision: "approve" | "reject"): Promise<void> {
  const res = await api(a, `/api/approvals/${id}/${decision}`, {
    method: "POST",
    token: operator,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ note: "not from here" }),
  });
  expect(res.status).toBe(200);
}

describe("a job waiting on an approval decided on another agent", () => {
  it("records a rejection made on web-2 at once, and an approval there runs on web-1", async () => {
    const one = await startAgent(yaml("web-1", `jobs:\n  guarded: { cron: "0 0 1 1 *", action: mark }\n`), {
      dir: tempDir("vigil-fleet-jobappr-1-"),
      timeoutMs: 60_000,
    });
    agents.push(one);
    const two = await startAgent(yaml("web-2"), {
      dir: tempDir("vigil-fleet-jobappr-2-"),
      timeoutMs: 60_000,
    });
    agents.push(two);

    const rejected = await runAndWait(one, two);
    await decide(two, rejected, "reject");
    await expect
      .poll(() => job(one), { timeout: 30_000 })
      .toMatchObject({
        last_result: "rejected",
        last_detail: "rejected by olga: not from here",
        running: false,
      });
    expect(fs.existsSync(marker)).toBe(false);

    // Not busy any more: it runs again, and this time web-2 approves.
    const approved = await runAndWait(one, two);
    expect(approved).not.toBe(rejected);
    await decide(two, approved, "approve");
    await expect.poll(async () => (await job(one)).last_result, { timeout: 30_000 }).toBe("succeeded");
    expect(fs.readFileSync(marker, "utf8")).toBe("web-1\n");
  }, 180_000);
});
