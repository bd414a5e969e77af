/**
 * Notification timelines through the real agent and a real webhook receiver on 127.0.0.1: a check
 * that cannot run at all says so; an escalated incident is repeated every repeat_interval until it
 * resolves; what happens within group_wait goes out as one message, after group_wait.
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { events, of } from "../helpers/remediation.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Got {
  at: number;
  body: { kind: string; title: string; text: string; items?: { kind: string }[] };
}

function receiver() {
  const got: Got[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      got.push({ at: Date.now(), body: JSON.parse(raw) as Got["body"] });
      res.end("ok");
    });
  });
  const port = new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  return { got, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let agent: RunningAgent | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  expect(await agent?.stop()).toMatchObject({ code: 0 });
  agent = undefined;
  for (const c of closers.splice(0)) await c();
});

describe("notification timelines", () => {
  it("a check refused on its port says it cannot run, is repeated while escalated, and stops when it recovers", async () => {
    const rx = receiver();
    closers.push(rx.close);
    const hook = await rx.port;
    const port = await freePort();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
checks:
  api: { http: { url: "http://127.0.0.1:${port}/health" }, every: 200ms, fail_after: 1, recover_after: 1 }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${hook}/" } } }
  routes: [{ to: [hook] }]
  group_wait: 0ms
  repeat_interval: 1s
`,
    );
    const first = await waitFor(rx.got, (g) => /cannot be checked/.test(g.body.title));
    expect(first.body.title).toBe("api cannot be checked: connection refused");
    expect(first.body.text).toMatch(
      /^The check of api cannot run at all: connection refused.*Nothing listens on the configured address: is the port right, and is the service listening on it\?/,
    );
    const reminders = () => rx.got.filter((g) => g.body.kind === "incident.reminder");
    await expect.poll(() => reminders().length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const [r1, r2] = reminders();
    expect(r1!.body.title).toBe("api still needs a person");
    // One per interval: the second is about a second after the first, never in the same breath.
    expect(r2!.at - r1!.at).toBeGreaterThanOrEqual(500);

    const server = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    await waitFor(rx.got, (g) => g.body.kind === "incident.resolved");
    const after = reminders().length;
    // Deliberate: no reminder may come once it is resolved, for more than two repeat_intervals.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(reminders().length).toBe(after);
  }, 30_000);

  it("what happens within group_wait goes out once, after group_wait", async () => {
    const rx = receiver();
    closers.push(rx.close);
    const hook = await rx.port;
    const dir = tempDir("vigil-group-");
    const flag = path.join(dir, "ok");
    fs.writeFileSync(flag, "");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 100ms, fail_after: 1, recover_after: 1 }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${hook}/" } } }
  routes: [{ to: [hook] }]
  group_wait: 1500ms
`,
      { dir },
    );
    const state = async () =>
      ((await (await api(agent!, "/api/targets/flag")).json()) as { state: string }).state;
    await expect.poll(state, { timeout: 10_000 }).toBe("up");
    const down = Date.now();
    fs.rmSync(flag);
    await expect
      .poll(async () => of(await events(agent!), "incident.escalated", "flag").length, { timeout: 10_000 })
      .toBe(1);
    fs.writeFileSync(flag, "");
    const message = await waitFor(rx.got, () => true);
    // Not before group_wait (less the check interval that found the failure), and all of it in one.
    expect(message.at - down).toBeGreaterThanOrEqual(1_300);
    expect(message.body.items?.map((i) => i.kind)).toEqual([
      "incident.opened",
      "incident.escalated",
      "incident.resolved",
    ]);
    // Deliberate: nothing else goes out afterwards, for longer than group_wait.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(rx.got).toHaveLength(1);
  }, 30_000);
});

describe("an action under notify risk", () => {
  it("is told after group_wait, well within 30 s", async () => {
    const rx = receiver();
    closers.push(rx.close);
    const hook = await rx.port;
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
actions:
  rotate: { run: [printf, "rotated"], risk: notify }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${hook}/" } } }
  routes: [{ to: [hook] }]
  group_wait: 500ms
`,
    );
    const asked = Date.now();
    const res = await api(agent, "/api/actions/rotate/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ reason: "weekly" }),
    });
    expect(res.status).toBe(200);
    const told = await waitFor(rx.got, (g) => g.body.kind === "action.finished");
    expect(told.body.title).toBe("rotate ran on rotate: succeeded");
    expect(told.body.text).toMatch(
      /^admin ran rotate \(run [0-9a-f-]{36}\): succeeded in \d+ ms\.\nrotated$/,
    );
    expect(told.at - asked).toBeGreaterThanOrEqual(500);
    // The contract is 30 s; how far under it this machine gets is for the benchmarks, not a test.
    expect(told.at - asked).toBeLessThan(30_000);
  }, 30_000);
});

async function waitFor(got: Got[], match: (g: Got) => boolean, timeoutMs = 10_000): Promise<Got> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const g = got.find(match);
    if (g) return g;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing matching arrived; got ${JSON.stringify(got.map((g) => g.body.title))}`);
}
