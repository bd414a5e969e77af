/**
 * Incident messages with their context, through the real agent, real service processes and a real
 * webhook receiver on 127.0.0.1: a crash, its automatic restart and the recovery within group_wait
 * are one message that says what was tried, how it went, what comes next, and links the incident's
 * page; remediation steps are told as they happen, each message saying what comes next.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { closeReceivers, receiver } from "../helpers/receiver.ts";
import { fixture, sick } from "../helpers/remediation.ts";
import { tempDir } from "../helpers/tmp.ts";
import type { IncidentContext } from "../../src/notify/context.ts";

interface Body {
  kind: string;
  title: string;
  incident_id?: string;
  items?: { kind: string; title: string }[];
  context?: IncidentContext;
}

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  await closeReceivers();
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

const notify = (url: string, wait: string) => `notify:
  channels: { hook: { webhook: { url: "${url}/hook" } } }
  routes: [{ to: [hook] }]
  group_wait: ${wait}`;

describe("incident messages with context", () => {
  it("a crash, its restart and the recovery within group_wait: one message with the whole story", async () => {
    const rx = await receiver();
    const port = await freePort();
    const dir = tempDir("vigil-notify-context-");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", public_url: "https://vigil.example.com/ops/" }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}", CRASH_AFTER: "1500", CRASH_ONCE: "${path.join(dir, "crashed")}" }
    port: ${port}
    restart: { backoff: { initial: 300ms, max: 1s } }
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 200ms, timeout: 500ms, fail_after: 2,
              start_period: 1s }
    remediate: []
${notify(rx.url, "5s")}
`,
      // A loaded machine takes a while to start the agent; the timing under test starts after.
      { dir, timeoutMs: 30_000 },
    );
    await expect.poll(() => rx.hits.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const body = JSON.parse(rx.hits[0]!.body) as Body;
    // Down, restarted and up again within group_wait: one message telling all three, newest on top.
    expect(body.kind).toBe("incident.resolved");
    expect(body.items!.map((i) => i.kind).sort()).toEqual([
      "incident.opened",
      "incident.resolved",
      "service.restart_scheduled",
    ]);
    expect(body.items!.find((i) => i.kind === "service.restart_scheduled")!.title).toBe(
      "web is being restarted: exited with code 1",
    );
    const c = body.context!;
    expect(c).toMatchObject({ incident_id: body.incident_id, status: "resolved" });
    expect(c.results_line).toMatch(/^[✓✗]{1,10}$/);
    expect(c.results_line).toContain("✓");
    expect(c.tried).toEqual([
      {
        at: expect.any(Number) as number,
        what: "automatic restart (exited with code 1)",
        result: expect.stringMatching(/^running again \(pid \d+\)$/) as string,
      },
    ]);
    expect(c.next).toEqual({ what: "nothing: it recovered", final: true });
    expect(c.url).toBe(`https://vigil.example.com/ops/incidents/${body.incident_id}`);
    expect(c.since).toBeLessThanOrEqual(c.tried[0]!.at + 1_000);
  }, 60_000);

  it("remediation steps are announced, each message with what was tried and the next step", async () => {
    const rx = await receiver();
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
remediation: { max_attempts: 2, cooldown: 1s, verify_within: 3s }
services:
${sick("web", port, "", "2s")}
${notify(rx.url, "0ms")}
`,
      { timeoutMs: 30_000 },
    );
    const bodies = () => rx.hits.map((h) => JSON.parse(h.body) as Body);
    await expect
      .poll(() => bodies().some((b) => b.kind === "incident.escalated"), { timeout: 45_000 })
      .toBe(true);
    const got = bodies();
    const trying = got.filter((b) => b.kind === "remediation.decided");
    expect(trying.map((b) => b.title)).toEqual([
      "Trying restart on web (attempt 1)",
      "Trying restart on web (attempt 2)",
    ]);
    const failed = got.find((b) => b.kind === "remediation.finished")!;
    expect(failed.title).toBe("restart on web failed");
    expect(failed.context!.tried.at(-1)).toMatchObject({
      what: "restart (attempt 1)",
      result: "failed: web did not recover within verify_within (3000 ms)",
    });
    // After the first failed step: the second, and when (after the cooldown).
    expect(failed.context!.next).toMatchObject({ what: "restart (attempt 2 of 2)", final: false });
    expect(failed.context!.next.at).toBeGreaterThan(failed.context!.tried.at(-1)!.at);
    expect(failed.context!.url).toBeUndefined();
    const escalated = got.find((b) => b.kind === "incident.escalated")!;
    expect(escalated.context!.next).toEqual({
      what: "escalated: nothing more will run (2 of max_attempts 2 tried; the target has not recovered)",
      final: true,
    });
    expect(escalated.context!.tried.map((t) => t.what)).toEqual([
      "restart (attempt 1)",
      "restart (attempt 2)",
    ]);
    expect(escalated.context!.results_line).toMatch(/✗$/);
  }, 60_000);
});
