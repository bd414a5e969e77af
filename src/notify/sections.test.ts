/**
 * A message with sections (the daily digest) in each provider's own format: Telegram HTML through a
 * local Bot API server, Slack blocks, an email's HTML part; whatever a section's lines hold is text,
 * never markup, and Telegram's limit never cuts a tag in half.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BotApiServer } from "../../test/helpers/bot-api.ts";
import { kit } from "../config/kit.ts";
import type { Outgoing } from "./provider.ts";
import { emailHtml } from "./providers/email.ts";
import { slackPayload } from "./providers/slack.ts";
import telegramProvider from "./providers/telegram.ts";

const token = "987654:SECRET-sections_token";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const message = (lines: string[]): Outgoing["message"] => ({
  id: "d-1",
  kind: "digest",
  target: null,
  title: "Vigil daily digest for 2026-12-05 (Europe/Berlin): 1 incident",
  text: "plain text",
  sections: [
    { heading: "Incidents", lines },
    { heading: "Audit chain", lines: ["verified: the chain is intact"] },
  ],
  audit_anchor: "seq 12 #ab12cd34",
  at: 0,
});
const hostile = "web <b>down</b> & <!channel> <script>";

/** Delivers `m` through the telegram provider to a local Bot API server; what the server got. */
async function throughTelegram(m: Outgoing["message"]) {
  const tg = new BotApiServer(token);
  closers.push(() => tg.close());
  const cfg = telegramProvider
    .schema(kit)
    .parse({ bot_token: token, chat_id: -100, api_root: await tg.listen() });
  const sent = await telegramProvider.deliver(cfg, { id: m.id, message: m }, { timeoutMs: 2_000, now: 0 });
  return { sent, body: tg.sent()[0]?.body };
}

describe("sections", () => {
  it("go to Telegram as HTML with bold headings, the lines escaped", async () => {
    const { sent, body } = await throughTelegram(message([hostile]));
    expect(sent).toEqual({ ok: true });
    expect(body).toMatchObject({
      parse_mode: "HTML",
      text:
        "<b>Vigil daily digest for 2026-12-05 (Europe/Berlin): 1 incident</b>\n\n<b>Incidents</b>\n" +
        "• web &lt;b&gt;down&lt;/b&gt; &amp; &lt;!channel&gt; &lt;script&gt;\n\n<b>Audit chain</b>\n" +
        "• verified: the chain is intact\n\naudit seq 12 #ab12cd34",
    });
  });

  it("fit Telegram's 4096 characters by whole lines, the anchor kept", async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `incident ${i} <${"x".repeat(30)}>`);
    const { body } = await throughTelegram(message(lines));
    const text = String(body!.text);
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toMatch(/\n…\n\naudit seq 12 #ab12cd34$/);
    expect(text).toMatch(/• incident \d+ &lt;x{30}&gt;\n…/);
    expect(text.match(/<b>/g)!.length).toBe(text.match(/<\/b>/g)!.length);
  });

  it("go to Slack as one section block each, escaped so nothing pings a channel", () => {
    const p = slackPayload(message([hostile, "db recovered"]));
    expect(p.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: message([]).title, emoji: true } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "*Incidents*\n• web &lt;b&gt;down&lt;/b&gt; &amp; &lt;!channel&gt; &lt;script&gt;\n• db recovered",
        },
      },
      { type: "section", text: { type: "mrkdwn", text: "*Audit chain*\n• verified: the chain is intact" } },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: "*kind:* digest" },
          { type: "mrkdwn", text: "audit seq 12 #ab12cd34" },
        ],
      },
    ]);
  });

  it("go into an email's HTML part as headings and lists, escaped; a message without them has none", () => {
    const html = emailHtml(message([hostile]))!;
    expect(html).toContain(
      "<h3>Incidents</h3>\n<ul>\n<li>web &lt;b&gt;down&lt;/b&gt; &amp; &lt;!channel&gt; &lt;script&gt;</li>\n</ul>",
    );
    expect(html).toContain("<h3>Audit chain</h3>");
    expect(html).not.toContain("<script>");
    expect(emailHtml({ ...message([]), sections: undefined })).toBeUndefined();
  });
});
