/** The telegram provider against a local Bot API server: what is retried, what is not, and the token kept out of errors. */
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BotApiServer } from "../../../test/helpers/bot-api.ts";
import { freePort } from "../../../test/helpers/net.ts";
import { kit } from "../../config/kit.ts";
import telegramProvider from "./telegram.ts";

const token = "987654:SECRET-provider_token";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const message = {
  id: "n-1",
  kind: "incident.opened",
  target: "web",
  title: "web is down (crashed)",
  text: "web went down: crashed.",
  at: 0,
};
const cfg = (api_root: string) =>
  telegramProvider.schema(kit).parse({ bot_token: token, chat_id: -100, api_root });
const deliver = (root: string, timeoutMs = 2_000) =>
  telegramProvider.deliver(cfg(root), { id: "n-1", message }, { timeoutMs, now: 0 });

describe("telegram provider", () => {
  it("sends the title and text to the chat, without buttons when no approval is asked", async () => {
    const tg = new BotApiServer(token);
    closers.push(() => tg.close());
    expect(await deliver(await tg.listen())).toEqual({ ok: true });
    expect(tg.sent()[0]!.body).toMatchObject({
      chat_id: "-100",
      text: "web is down (crashed)\n\nweb went down: crashed.",
    });
    expect(tg.sent()[0]!.body.reply_markup).toBeUndefined();
  });

  it("ends with the audit anchor, also when the text is cut to Telegram's limit", async () => {
    const tg = new BotApiServer(token);
    closers.push(() => tg.close());
    const root = await tg.listen();
    const long = { ...message, text: "x".repeat(10_000), audit_anchor: "seq 1372 #ab12cd34" };
    expect(
      await telegramProvider.deliver(cfg(root), { id: "n-2", message: long }, { timeoutMs: 2_000, now: 0 }),
    ).toEqual({
      ok: true,
    });
    const text = String(tg.sent()[0]!.body.text);
    expect(text.endsWith("\n\naudit seq 1372 #ab12cd34")).toBe(true);
    expect(text.length).toBeLessThanOrEqual(4096);
  });

  it("a blocked bot or a wrong chat is permanent; a 429 waits retry_after; 5xx is retried", async () => {
    const tg = new BotApiServer(token);
    closers.push(() => tg.close());
    const root = await tg.listen();
    tg.failNext("sendMessage", 403, {
      ok: false,
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    tg.failNext("sendMessage", 429, {
      ok: false,
      error_code: 429,
      description: "Too Many Requests",
      parameters: { retry_after: 7 },
    });
    tg.failNext("sendMessage", 502, { ok: false, error_code: 502, description: "Bad Gateway" });
    expect(await deliver(root)).toEqual({
      ok: false,
      permanent: true,
      error: "Telegram 403: Forbidden: bot was blocked by the user",
    });
    expect(await deliver(root)).toEqual({
      ok: false,
      permanent: false,
      retryAfterMs: 7_000,
      error: "Telegram 429: Too Many Requests",
    });
    expect(await deliver(root)).toMatchObject({ ok: false, permanent: false });
  });

  it("a wrong token is permanent and the token never appears in the error", async () => {
    const tg = new BotApiServer("1:other");
    closers.push(() => tg.close());
    const r = await deliver(await tg.listen());
    expect(r).toMatchObject({ ok: false, permanent: true, error: "Telegram 401: Unauthorized" });
  });

  it("nobody listening, or a server that never answers: transient, within the timeout", async () => {
    const refused = await deliver(`http://127.0.0.1:${await freePort()}`);
    expect(refused).toMatchObject({ ok: false, permanent: false });
    expect(JSON.stringify(refused)).not.toContain("SECRET");

    const hung = http.createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    closers.push(() => {
      hung.closeAllConnections();
      return new Promise((r) => hung.close(() => r()));
    });
    const started = Date.now();
    const r = await deliver(`http://127.0.0.1:${(hung.address() as net.AddressInfo).port}`, 1_000);
    expect(r).toMatchObject({ ok: false, permanent: false });
    expect(JSON.stringify(r)).not.toContain("SECRET");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
