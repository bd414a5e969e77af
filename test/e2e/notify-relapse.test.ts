/**
 * A check that no runbook step applies to, falling again and again, through the real agent, a real
 * HTTP service on 127.0.0.1 and a real webhook receiver: every fall is escalated ("needs a person"),
 * and yet after its first fall and recovery are told, the falls that follow within group_interval
 * are one summary at the end of the interval, not a page per fall.
 */
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { closeReceivers, receiver } from "../helpers/receiver.ts";
import { events, of } from "../helpers/remediation.ts";

interface Body {
  kind: string;
  items?: { kind: string }[];
}

let agent: RunningAgent | undefined;
let service: http.Server | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
  await new Promise((r) => service?.close(r));
  await closeReceivers();
});

describe("a check falling again within group_interval", () => {
  it("is one summary per interval, escalations and recoveries included", async () => {
    let healthy = true;
    service = http.createServer((_req, res) => res.writeHead(healthy ? 200 : 503).end());
    const port = await new Promise<number>((r) =>
      service!.listen(0, "127.0.0.1", () => r((service!.address() as net.AddressInfo).port)),
    );
    const rx = await receiver();
    const interval = 6_000;
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
checks:
  web: { http: { url: "http://127.0.0.1:${port}/" }, every: 100ms, fail_after: 1, recover_after: 1 }
notify:
  channels: { hook: { webhook: { url: "${rx.url}/hook" } } }
  routes: [{ to: [hook] }]
  group_wait: 300ms
  group_interval: ${interval}ms
`,
      { timeoutMs: 30_000 },
    );
    const bodies = () => rx.hits.map((h) => JSON.parse(h.body) as Body);
    const kinds = (b: Body) => (b.items ?? [b]).map((i) => i.kind);
    const count = async (type: string) => of(await events(agent!), type, "web").length;
    /** One fall, escalated, and its recovery, as the agent records them. */
    async function fallAndRecover(n: number) {
      healthy = false;
      await expect.poll(() => count("incident.escalated"), { timeout: 10_000 }).toBe(n);
      healthy = true;
      await expect.poll(() => count("incident.resolved"), { timeout: 10_000 }).toBe(n);
    }

    await fallAndRecover(1);
    // The first fall and its escalation, then its recovery: told as they happen.
    await expect.poll(() => bodies().flatMap(kinds), { timeout: 10_000 }).toContain("incident.resolved");
    const first = rx.hits.length;
    await fallAndRecover(2);
    await fallAndRecover(3);
    await expect
      .poll(
        () =>
          bodies()
            .slice(first)
            .flatMap(kinds)
            .filter((k) => k === "incident.resolved").length,
        {
          timeout: 2 * interval + 10_000,
        },
      )
      .toBe(2);
    const later = bodies().slice(first).flatMap(kinds);
    expect(later.filter((k) => k === "incident.escalated")).toHaveLength(2);
    expect(later.filter((k) => k === "incident.opened")).toHaveLength(2);
    // Each message after the first fall's went out a whole interval after the one before it, as the
    // agent recorded the sending (so a slow machine cannot blur it): no fall was paged on its own.
    const sent = of(await events(agent), "notification.sent", "web").map((e) => e.ts);
    expect(sent).toHaveLength(rx.hits.length);
    for (let i = first; i < sent.length; i++)
      expect(sent[i]! - sent[i - 1]!, `message ${i + 1} after ${i}`).toBeGreaterThanOrEqual(interval - 250);
  }, 90_000);
});
