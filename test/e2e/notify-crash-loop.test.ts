/**
 * A crash-looping service through the real agent, a real service process and a real webhook
 * receiver on 127.0.0.1: after the first message, the restarts that follow within group_interval
 * are one further message summarising them, not one each, and the supervisor giving up is still
 * told within group_wait of it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { closeReceivers, receiver } from "../helpers/receiver.ts";
import { events, fixture, of } from "../helpers/remediation.ts";

interface Body {
  kind: string;
  title: string;
  items?: { kind: string; title: string }[];
}

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  await closeReceivers();
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

describe("a crash loop", () => {
  it("after the first message, its restarts within group_interval are one summary, and giving up is told", async () => {
    const rx = await receiver();
    const maxRestarts = 6;
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
services:
  loop:
    command: ["${process.execPath}", "${fixture}"]
    env: { CRASH_AFTER: "2500" }
    restart: { backoff: { initial: 200ms, max: 400ms, jitter: 0 }, max_restarts: ${maxRestarts}, window: 1m,
               retry_after_failed: false }
    stop: { timeout: 1s }
    remediate: []
notify:
  channels: { hook: { webhook: { url: "${rx.url}/hook" } } }
  routes: [{ to: [hook] }]
  group_wait: 2s
  group_interval: 1h
`,
      { timeoutMs: 30_000 },
    );
    const bodies = () => rx.hits.map((h) => JSON.parse(h.body) as Body);
    // Every restart the policy allows happens, and then it gives up.
    await expect
      .poll(async () => of(await events(agent!), "service.gave_up", "loop").length, { timeout: 60_000 })
      .toBe(1);
    const scheduled = of(await events(agent), "service.restart_scheduled", "loop").length;
    expect(scheduled).toBe(maxRestarts);
    // Giving up is told although group_interval (1 h) has not passed since the first message.
    await expect
      .poll(() => bodies().some((b) => (b.items ?? [b]).some((i) => i.kind === "incident.escalated")), {
        timeout: 10_000,
      })
      .toBe(true);
    const got = bodies();
    // The first crash, its restart and its recovery are the first message (group_wait is longer
    // than a restart); everything after it is one more, summarised.
    expect(got.map((b) => b.kind)).toHaveLength(2);
    expect(got[0]!.items!.map((i) => i.kind).sort()).toEqual([
      "incident.opened",
      "incident.resolved",
      "service.restart_scheduled",
    ]);
    const told = got.flatMap((b) => (b.items ?? [b]).filter((i) => i.kind === "service.restart_scheduled"));
    expect(told).toHaveLength(scheduled);
    expect(got[1]!.title).toMatch(/\(\d+ updates\)$/);
  }, 90_000);
});
