/**
 * Notifications through the real agent to a real webhook receiver on 127.0.0.1: signed, with a stable
 * idempotency key, a resolution that follows its opening even through a silence, and an outage with a
 * kill -9 in the middle that loses nothing.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Received {
  key: string;
  signature: string;
  raw: string;
  body: {
    id: string;
    kind: string;
    target: string;
    title: string;
    text: string;
    items?: { kind: string; title: string; text: string }[];
  };
}

/** The facts a message told: itself, or each item of a group. */
const told = (g: Received) => g.body.items ?? [g.body];

function receiver(port = 0) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      got.push({
        key: String(req.headers["idempotency-key"]),
        signature: String(req.headers["x-vigil-signature"] ?? ""),
        raw,
        body: JSON.parse(raw) as Received["body"],
      });
      res.end("ok");
    });
  });
  const listening = new Promise<number>((r) =>
    server.listen(port, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  return { got, listening, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Which of the outage test's facts never arrived, and what the agent's audit log says of their targets. */
async function untold(a: RunningAgent, got: Received[]): Promise<string> {
  const arrived = new Set(got.flatMap((g) => told(g).map((i) => `${g.body.target} ${i.kind}`)));
  const missing = Array.from({ length: 100 }, (_, i) => `c${i}`).flatMap((t) =>
    ["incident.opened", "incident.escalated"]
      .filter((k) => !arrived.has(`${t} ${k}`))
      .map((k) => `${t} ${k}`),
  );
  const { events } = (await (await api(a, "/api/audit?limit=5000")).json()) as {
    events: { type: string; subject: string }[];
  };
  const seen = missing.map((m) => {
    const t = m.split(" ")[0];
    return `${m} (audit: ${events
      .filter((e) => e.subject === t)
      .map((e) => e.type)
      .join(", ")})`;
  });
  return `not arrived: ${seen.join("; ")}`;
}

let agent: RunningAgent | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await agent?.stop("SIGKILL");
  agent = undefined;
  for (const c of closers.splice(0)) await c();
});

const secret = "webhook-secret-0123456789";

describe("notifications", () => {
  it("signed webhooks with a stable idempotency key; the resolution follows its opening through a silence", async () => {
    const rx = receiver();
    closers.push(rx.close);
    const port = await rx.listening;
    const dir = tempDir("vigil-notify-");
    const flag = path.join(dir, "ok");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${port}/vigil", secret: ${secret} } } }
  routes: [{ to: [hook] }]
  group_wait: 200ms
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, severity: critical }
`,
      { dir },
    );
    await expect
      .poll(() => rx.got.flatMap((g) => told(g).map((t) => t.kind)), { timeout: 10_000 })
      .toEqual(expect.arrayContaining(["incident.opened", "incident.escalated"]));
    // Down and escalated within group_wait: one message telling both, newest on top.
    expect(rx.got).toHaveLength(1);
    const opened = rx.got[0]!;
    expect(opened.body).toMatchObject({
      target: "flag",
      kind: "incident.escalated",
      title: "flag needs a person (2 updates)",
    });
    expect(told(opened).map((t) => t.title)).toEqual([
      "flag is down (condition_failed)",
      "flag needs a person",
    ]);
    expect(opened.body.text).toMatch(
      /^• flag is down \(condition_failed\): flag went down: condition_failed/,
    );
    expect(opened.key).toBe(opened.body.id);
    const [t, v1] = opened.signature.split(",");
    const ts = Number(t!.slice(2));
    expect(v1).toBe(`v1=${createHmac("sha256", secret).update(`${ts}.${opened.raw}`).digest("hex")}`);

    expect(
      (await runCli(["silence", "flag", "1h"], { env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token } }))
        .code,
    ).toBe(0);
    fs.writeFileSync(flag, "");
    await expect
      .poll(() => rx.got.some((g) => g.body.kind === "incident.resolved"), { timeout: 10_000 })
      .toBe(true);
    expect(rx.got.find((g) => g.body.kind === "incident.resolved")!.body.title).toBe("flag recovered");
    const audit = (await (await api(agent, "/api/audit?limit=1000")).json()) as {
      events: { type: string }[];
    };
    expect(audit.events.filter((e) => e.type === "notification.sent").length).toBe(rx.got.length);
    const incident = (await (
      await api(agent, `/api/incidents/${opened.body.text.match(/Incident ([0-9a-f-]{36})/)![1]}`)
    ).json()) as {
      timeline: { kind: string; detail: string }[];
    };
    expect(incident.timeline.filter((t) => t.kind === "notified").map((t) => t.detail)).toEqual(
      expect.arrayContaining(["incident.opened sent to hook", "incident.resolved sent to hook"]),
    );
  });

  it("an outage with a kill -9 in the middle: when the receiver returns, every notification arrives", async () => {
    const port = await freePort(); // nobody listens here yet: the receiver is down
    const dir = tempDir("vigil-outage-");
    const checks = Array.from(
      { length: 100 },
      // Refused at once, nothing spawned: a hundred processes a second would make this a test of
      // the machine's load (on two busy cores they held the agent's event loop for seconds).
      (_, i) => `  c${i}: { tcp: { host: 127.0.0.1, port: 1 }, every: 1s, fail_after: 1 }`,
    ).join("\n");
    const yaml = `agent: { listen: "127.0.0.1:0" }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${port}/vigil" } } }
  routes: [{ to: [hook] }]
  group_wait: 0ms
checks:
${checks}
`;
    agent = await startAgent(yaml, { dir, timeoutMs: 30_000 });
    const failed = async () =>
      (
        (await (await api(agent!, "/api/audit?limit=5000")).json()) as { events: { type: string }[] }
      ).events.filter((e) => e.type === "notification.failed").length;
    await expect.poll(failed, { timeout: 30_000 }).toBeGreaterThanOrEqual(50);
    await agent.stop("SIGKILL");

    const rx = receiver(port);
    closers.push(rx.close);
    await rx.listening;
    agent = await startAgent(yaml, { dir, timeoutMs: 30_000 });
    const unique = () => new Set(rx.got.map((g) => g.key));
    await expect
      .poll(() => unique().size, { timeout: 60_000, interval: 500 })
      .toBe(200)
      .catch(async (e: unknown) => {
        throw new Error(`${String(e)}; ${await untold(agent!, rx.got)}`);
      });
    const kinds = (k: string) => new Set(rx.got.filter((g) => g.body.kind === k).map((g) => g.body.target));
    expect(kinds("incident.opened").size).toBe(100);
    expect(kinds("incident.escalated").size).toBe(100);
    // At least once: a duplicate, if any, carries the same key as the first delivery of its notification.
    for (const g of rx.got) expect(g.key).toBe(g.body.id);
  }, 120_000);
});
