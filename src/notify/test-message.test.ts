import http from "node:http";
import type net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { isVigilError } from "../core/errors.ts";
import type { VigilConfig } from "../config/schema.ts";
import { describeTest } from "../cli/commands/notify.ts";
import { testChannel } from "./test-message.ts";

const notify = (channels: Record<string, unknown>) => ({ channels }) as unknown as VigilConfig["notify"];

const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.statusCode = 429;
    res.setHeader("retry-after", "30");
    res.end();
  });
});
const port = new Promise<number>((r) =>
  server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
);
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("testChannel", () => {
  it("an unknown channel is NOT_FOUND listing the configured ones, or saying where to add one", async () => {
    const e1 = await testChannel(notify({ b: {}, a: {} }), "zz", 0).catch((e: unknown) => e);
    expect(isVigilError(e1, "NOT_FOUND")).toBe(true);
    expect((e1 as Error).message).toBe('no channel "zz"; configured channels: a, b');
    const e2 = await testChannel(notify({}), "hook", 0).catch((e: unknown) => e);
    expect(isVigilError(e2, "NOT_FOUND")).toBe(true);
    expect((e2 as Error).message).toMatch(
      /no notification channels are configured; add one under notify\.channels/,
    );
    const e3 = await testChannel(notify({}), "constructor", 0).catch((e: unknown) => e);
    expect(isVigilError(e3, "NOT_FOUND")).toBe(true);
  });

  it("a 429 with Retry-After is transient and carries the wait", async () => {
    const url = `http://127.0.0.1:${await port}/x`;
    const r = await testChannel(notify({ hook: { webhook: { url, headers: {} } } }), "hook", Date.now());
    expect(r).toMatchObject({ ok: false, error: "HTTP 429", permanent: false, retry_after_ms: 30_000 });
    expect(describeTest(r)).toBe(
      "hook (webhook): HTTP 429 — notifications to it would be retried by the outbox (transient); the receiver asked to wait 30 s",
    );
  });
});

describe("describeTest", () => {
  it("says what happened", () => {
    const base = { channel: "hook", type: "webhook", duration_ms: 42 };
    expect(describeTest({ ...base, ok: true })).toBe("sent a test message to hook (webhook) in 42 ms");
    expect(describeTest({ ...base, ok: false, error: "HTTP 404", permanent: true })).toBe(
      "hook (webhook): HTTP 404 — the receiver refused it; retrying will not help (permanent)",
    );
  });
});
