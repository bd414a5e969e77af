/**
 * `vigil notify test <channel>` through the real agent and the real CLI, to real receivers on
 * 127.0.0.1: one that takes it, a port where nothing listens (transient), one that answers 404
 * (permanent), and a channel that is not configured.
 */
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";

interface Received {
  key: string;
  body: { id: string; kind: string; target: string | null; title: string; text: string };
}

function receiver(status: number) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      got.push({ key: String(req.headers["idempotency-key"]), body: JSON.parse(raw) as Received["body"] });
      res.statusCode = status;
      res.end(status === 200 ? "ok" : "no such hook");
    });
  });
  const listening = new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  return { got, listening, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const viewerToken = "viewer-token-0123456789abcdef";
const ok = receiver(200);
const gone = receiver(404);
let agent: RunningAgent;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const [okPort, gonePort, closedPort] = [await ok.listening, await gone.listening, await freePort()];
  agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
auth:
  tokens: [{ name: watcher, role: viewer, token: ${viewerToken} }]
notify:
  channels:
    hook: { webhook: { url: "http://127.0.0.1:${okPort}/vigil" } }
    down: { webhook: { url: "http://127.0.0.1:${closedPort}/vigil" } }
    gone: { webhook: { url: "http://127.0.0.1:${gonePort}/vigil" } }
`);
  env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await ok.close();
  await gone.close();
});

describe("vigil notify test", () => {
  it("a working channel gets a test message with kind test and an Idempotency-Key; exit 0", async () => {
    const r = await runCli(["notify", "test", "hook"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sent a test message to hook \(webhook\) in \d+ ms\n$/);
    expect(ok.got).toHaveLength(1);
    const [m] = ok.got;
    expect(m!.body).toMatchObject({ kind: "test", target: null, title: "Vigil test message" });
    expect(m!.body.text).toContain("hook");
    expect(m!.body.text).toContain("Nothing is wrong");
    expect(m!.key).toBe(m!.body.id);
    expect(m!.key).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a port where nothing listens: exit 1 naming the error, transient", async () => {
    const r = await runCli(["notify", "test", "down"], { env });
    expect(r.code).toBe(1);
    // The provider's own wording may add detail; the error code and the classification are what count.
    expect(r.stderr).toMatch(
      /^down \(webhook\): .*ECONNREFUSED.* — notifications to it would be retried by the outbox \(transient\)\n$/,
    );
  });

  it("a receiver answering 404: exit 1, permanent", async () => {
    const r = await runCli(["notify", "test", "gone"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^gone \(webhook\): HTTP 404\b.* — the receiver refused it; retrying will not help \(permanent\)\n$/,
    );
    expect(gone.got.map((g) => g.body.kind)).toEqual(["test"]);
  });

  it("--json prints the result", async () => {
    const good = await runCli(["notify", "test", "hook", "--json"], { env });
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ channel: "hook", type: "webhook", ok: true });
    const bad = await runCli(["notify", "test", "gone", "--json"], { env });
    expect(bad.code).toBe(1);
    const parsed = JSON.parse(bad.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ channel: "gone", type: "webhook", ok: false, permanent: true });
    expect(parsed.error).toMatch(/^HTTP 404\b/);
    expect(typeof parsed.duration_ms).toBe("number");
  });

  it("an unknown channel: exit 1 (404) listing the configured channels", async () => {
    const r = await runCli(["notify", "test", "nope"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('vigil: no channel "nope"; configured channels: down, gone, hook\n');
    const res = await api(agent, "/api/notify/test", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "nope" }),
    });
    expect(res.status).toBe(404);
    const json = await runCli(["notify", "test", "nope", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("a bad body is a 400 naming the field; a viewer is refused", async () => {
    const post = (body: unknown, token?: string) =>
      api(agent, "/api/notify/test", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        ...(token ? { token } : {}),
      });
    for (const body of [{}, { channel: 7 }, { channel: "" }, { channel: "hook", extra: 1 }]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.message).toMatch(/^(channel|body):/);
    }
    expect((await post({ channel: "hook" }, viewerToken)).status).toBe(403);
    const r = await runCli(["notify", "test", "hook"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: viewerToken },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("needs role operator");
  });

  it("every test is audited as notification.tested with who asked", async () => {
    const res = await api(agent, "/api/audit?limit=1000");
    const { events } = (await res.json()) as {
      events: { type: string; actor: string; subject: string; payload: unknown }[];
    };
    const tested = events.filter((e) => e.type === "notification.tested");
    expect(tested.map((e) => e.subject)).toEqual(["hook", "down", "gone", "hook", "gone"]);
    expect(tested.every((e) => e.actor === "admin")).toBe(true);
    const payloads = tested.map((e) =>
      typeof e.payload === "string" ? (JSON.parse(e.payload) as unknown) : e.payload,
    );
    expect(payloads[0]).toEqual({ channel: "hook", type: "webhook", ok: true, error: null });
    const { error, ...rest } = payloads[2] as { error: string };
    expect(rest).toEqual({ channel: "gone", type: "webhook", ok: false });
    expect(error).toMatch(/^HTTP 404\b/);
  });
});
