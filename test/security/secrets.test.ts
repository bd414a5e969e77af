/**
 * Secrets against the real agent: exactly the values of secret-bearing settings and the parameters
 * declared `secret: true`, hidden the same way in every view (run views, approvals, the audit log,
 * the log, notifications), and no view that answers whether a guess is a configured secret.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";

/** A shared test machine can be slow to start a process: a generous deadline, not a shorter test. */
const start = (yaml: string, opts: Parameters<typeof startAgent>[1] = {}) =>
  startAgent(yaml, { timeoutMs: 60_000, ...opts });
import { closeReceivers, receiver } from "../helpers/receiver.ts";

const REDACTED = "[REDACTED]";
const tokens = {
  vera: "viewer-token-0123456789",
  olga: "operator-token-0123456789",
  oscar: "operator2-token-0123456789",
};
const hookSecret = "webhook-secret-value-0123456789";

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
  await closeReceivers();
});

const config = (hookUrl: string) => `agent: { name: "\${RT_APP}", listen: 127.0.0.1:0 }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${tokens.vera} }
    - { name: olga, role: operator, token: ${tokens.olga} }
    - { name: oscar, role: operator, token: ${tokens.oscar} }
actions:
  echo:   { run: [printf, "%s", "{msg}"], params: { msg: {} }, risk: auto }
  leak:   { run: [printf, "%s", "${hookSecret}"], risk: auto }
  login:  { run: [test, "{key}", "=", "opensesame-1234"], params: { key: { secret: true } }, risk: auto }
  rotate: { run: [test, "{key}", "=", "opensesame-1234"], params: { key: { secret: true } }, risk: approve }
notify:
  group_wait: 0s
  channels:
    hook: { webhook: { url: "${hookUrl}", secret: "${hookSecret}" } }
  routes:
    - { to: [hook] }
`;

const post = (p: string, token: string, body: unknown) =>
  api(agent!, p, {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

interface Run {
  id: string;
  status: string;
  params: Record<string, string>;
  result: { stdout?: string } | null;
}

async function runs(): Promise<Run[]> {
  return ((await (await api(agent!, "/api/actions/runs", { token: tokens.vera })).json()) as { runs: Run[] })
    .runs;
}

async function audit(): Promise<{ type: string; actor: string; payload: Record<string, unknown> }[]> {
  const res = await api(agent!, "/api/audit?tail=200", { token: tokens.vera });
  return (
    (await res.json()) as { events: { type: string; actor: string; payload: Record<string, unknown> }[] }
  ).events;
}

async function until<T>(what: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const got = await what();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("secrets: only the real ones, hidden alike everywhere", () => {
  it("a value from the environment is not a secret: RT_APP=vigil leaves every actor and name alone", async () => {
    const hook = await receiver();
    agent = await start(config(hook.url), { env: { RT_APP: "vigil" } });
    const events = await audit();
    expect(events[0]).toMatchObject({ type: "agent.started", actor: "vigil" });
    expect(JSON.stringify(events)).not.toContain(REDACTED);
  }, 120_000);

  it("a parameter declared secret is [REDACTED] whatever its value, in runs, approvals, audit, log and notifications", async () => {
    const hook = await receiver();
    agent = await start(config(hook.url), { env: { RT_APP: "app" } });

    // Runs now: the program got the real value (test ... = ... exits 0), no view shows it.
    const ran = await post("/api/actions/login/run", tokens.olga, {
      params: { key: "opensesame-1234" },
      reason: "rotate",
    });
    expect(ran.status).toBe(200);
    expect(((await ran.json()) as Run).params).toEqual({ key: REDACTED });
    const plain = await post("/api/actions/login/run", tokens.olga, {
      params: { key: "hello" },
      reason: "x",
    });
    expect(((await plain.json()) as Run).params).toEqual({ key: REDACTED });
    const listed = await runs();
    expect(listed.map((r) => [r.status, r.params.key])).toEqual([
      ["failed", REDACTED],
      ["succeeded", REDACTED],
    ]);

    // Waits for a person: the approval, its notification and its audit entry hide it too.
    const queued = await post("/api/actions/rotate/run", tokens.olga, {
      params: { key: "opensesame-1234" },
      reason: "quarterly",
    });
    expect(queued.status).toBe(202);
    const { approval_id } = (await queued.json()) as { approval_id: string };
    const approval = (await (
      await api(agent, `/api/approvals/${approval_id}`, { token: tokens.vera })
    ).json()) as {
      params: Record<string, string>;
    };
    expect(approval.params).toEqual({ key: REDACTED });
    const told = await until(async () =>
      hook.hits.find((h) => h.body.includes(approval_id) && h.body.includes("Approval needed")),
    );
    expect(told.body).toContain(REDACTED);
    expect(told.body).not.toContain("opensesame");
    const decided = await post(`/api/approvals/${approval_id}/approve`, tokens.oscar, { note: "ok" });
    expect(decided.status).toBe(200);
    const approvedRun = await until(async () =>
      (await runs()).find(
        (r) =>
          r.params.key === REDACTED &&
          r.status !== "running" &&
          r.id !== listed[0]!.id &&
          r.id !== listed[1]!.id,
      ),
    );
    expect(approvedRun.status).toBe("succeeded");

    const all = JSON.stringify(await audit());
    expect(all).not.toContain("opensesame");
    expect(all).not.toContain('"key":"hello"');
    await agent.stop("SIGTERM");
    expect(agent.output()).not.toContain("opensesame");
    const db = fs.readFileSync(path.join(agent.dir, ".vigil/vigil.db")).toString("latin1");
    expect(db).not.toContain('"key":"hello"');
  }, 120_000);

  it("a configured secret in a program's output is scrubbed; a guess passed openly comes back as sent, right or wrong", async () => {
    const hook = await receiver();
    agent = await start(config(hook.url), { env: { RT_APP: "app" } });

    const leak = (await (await post("/api/actions/leak/run", tokens.olga, { reason: "x" })).json()) as Run;
    expect(leak.result?.stdout).toBe(REDACTED);

    // Passing a guess, right (the viewer's token, the webhook secret) or wrong, is answered alike.
    const echo = async (msg: string) =>
      (await (
        await post("/api/actions/echo/run", tokens.olga, { params: { msg }, reason: msg })
      ).json()) as Run;
    for (const guess of [tokens.vera, hookSecret, "a-wrong-guess-0123456789"]) {
      const run = await echo(guess);
      expect(run.params).toEqual({ msg: guess });
      expect(run.result?.stdout).toBe(guess);
    }
    const requested = (await audit()).filter(
      (e) => e.type === "action.requested" && e.payload.action === "echo",
    );
    expect(requested.map((e) => [e.payload.params, e.payload.reason])).toEqual([
      [{ msg: tokens.vera }, tokens.vera],
      [{ msg: hookSecret }, hookSecret],
      [{ msg: "a-wrong-guess-0123456789" }, "a-wrong-guess-0123456789"],
    ]);
  }, 120_000);
});
