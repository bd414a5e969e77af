/** The telegram provider against a local Bot API server: what is retried, what is not, and the token kept out of errors. */
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BotApiServer } from "../../../test/helpers/bot-api.ts";
import { freePort } from "../../../test/helpers/net.ts";
import { kit } from "../../config/kit.ts";
import { context, hugeMessage, incidentMessage } from "../../../test/helpers/incident-message.ts";
import telegramProvider, { messageText } from "./telegram.ts";

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
      text: "<b>web is down (crashed)</b>\n\nweb went down: crashed.",
      parse_mode: "HTML",
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

/** Only Telegram's tags, each closed, and every `&` a whole entity: what a cut must never break. */
function wellFormed(html: string): void {
  expect(html.match(/&(?!(amp|lt|gt|quot);)/g)).toBeNull();
  const tags = html.match(/<[^>]*>/g) ?? [];
  for (const t of tags) expect(t).toMatch(/^<(b|\/b|\/a|a href="[^"<>]*")>$/);
  expect(tags.filter((t) => t === "<b>").length).toBe(tags.filter((t) => t === "</b>").length);
  expect(tags.filter((t) => t.startsWith("<a ")).length).toBe(tags.filter((t) => t === "</a>").length);
}

describe("telegram: an incident's message", () => {
  it("carries since, the last results, what was tried, the next step and the page as a link", async () => {
    const tg = new BotApiServer(token);
    closers.push(() => tg.close());
    const root = await tg.listen();
    const n = { id: "n-7", message: incidentMessage };
    expect(await telegramProvider.deliver(cfg(root), n, { timeoutMs: 2_000, now: 0 })).toEqual({ ok: true });
    const text = String(tg.sent()[0]!.body.text);
    expect(tg.sent()[0]!.body.parse_mode).toBe("HTML");
    expect(text).toContain("<b>web is down (condition_failed)</b>");
    expect(text).toContain("[STATUS] (500) == 200");
    expect(text).toContain("<b>Since:</b> 2026-12-06 03:02:00 UTC");
    expect(text).toContain("<b>Last 7 results:</b> ✓✓✗✗✓✗✗ (oldest first)");
    expect(text).toContain("03:02:01 automatic restart (exited with code 1): running again (pid 4242)");
    expect(text).toContain("restart (attempt 1): failed: web did not recover");
    expect(text).toContain("<b>Next:</b> clean-logs (attempt 2 of 3) at 03:03:40 UTC");
    expect(text).toContain(`<a href="${context.url}">${context.url}</a>`);
    expect(text.endsWith("\n\naudit seq 1372 #ab12cd34")).toBe(true);
    wellFormed(text);
  });

  it("huge parts: within 4096, the link and the results go before the next step, nothing half-escaped", () => {
    const text = messageText(hugeMessage());
    expect(text.length).toBeLessThanOrEqual(4096);
    wellFormed(text);
    expect(text.endsWith("\n\naudit seq 1372 #ab12cd34")).toBe(true);
    expect(text).not.toContain("<a href");
    // What failed is cut to half the room, never dropped; the least important parts went first.
    expect(text).toContain("web went down: ");
    expect(text).toContain("<b>Next:</b> escalated: nothing more will run");
    const huge = hugeMessage();
    const next = { what: "escalated: nothing more will run (3 of max_attempts 3 tried)", final: true };
    const escalated = messageText({ ...huge, text: "web went down.", context: { ...huge.context!, next } });
    expect(escalated.length).toBeLessThanOrEqual(4096);
    wellFormed(escalated);
    expect(escalated).toContain("<b>Next:</b> escalated: nothing more will run");
    expect(escalated).toContain("<b>Tried (newest):</b>");
    expect(escalated).not.toContain("attempt 1)");
  });

  it("a title that would need escaping is escaped; a message without context is as before", () => {
    expect(messageText({ ...message, title: "a <b> & c" })).toBe(
      "<b>a &lt;b&gt; &amp; c</b>\n\nweb went down: crashed.",
    );
  });
});
