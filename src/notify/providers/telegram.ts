/**
 * `telegram`: one message per notification through grammY, to the configured chat, in Telegram's
 * HTML (the title bold, the incident page a link). An approval
 * request carries inline Approve / Reject buttons, which the command bot answers. A 429 waits for
 * Telegram's `retry_after`; 400, 401, 403 and 404 (bad chat, revoked token, bot blocked) will not
 * get better by retrying. grammY is loaded at the first use, not with this file.
 */
import type { Api } from "grammy";
import type { z } from "zod";
import type { SchemaKit } from "../../config/kit.ts";
import type { ChannelCheck, Delivery, Outgoing } from "../provider.ts";
import { escapeHtml, fit, messageParts, partsHtml } from "../context.ts";
import { clip } from "../post.ts";
import { anchorLine, defineProvider } from "../provider.ts";

/** Telegram's limit for one message's text. */
const maxText = 4096;

async function telegramApi(cfg: TelegramConfig, timeoutMs: number): Promise<Api> {
  const { Api } = await import("grammy");
  return new Api(cfg.bot_token, {
    apiRoot: cfg.api_root,
    timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
  });
}

/**
 * The message as Telegram HTML: the title in bold, what happened, the incident's context, the audit
 * anchor last. Within the 4096 limit the least important part goes first (context.ts `fit`), and
 * only plain text is ever cut, so no tag or entity is broken.
 */
export function messageText(m: Outgoing["message"]): string {
  const title = `<b>${escapeHtml(clip(m.title, 256))}</b>`;
  const parts = fit(
    messageParts(m, anchorLine(m)),
    maxText - title.length - 2,
    (p) => partsHtml(p, "\n").length,
  );
  const body = partsHtml(parts, "\n");
  return body === "" ? title : `${title}\n\n${body}`;
}

/**
 * A message with sections (the daily digest) in Telegram's HTML: bold headings, a bullet per line.
 * Whole lines are dropped from the end to fit, never half a tag.
 */
export function sectionsHtml(m: Outgoing["message"]): string {
  const anchor = anchorLine(m);
  const tail = anchor ? `\n\n${escapeHtml(anchor)}` : "";
  const more = "\n…";
  let out = `<b>${escapeHtml(m.title)}</b>`;
  for (const s of m.sections ?? []) {
    for (const piece of [
      `\n\n<b>${escapeHtml(s.heading)}</b>`,
      ...s.lines.map((l) => `\n• ${escapeHtml(l)}`),
    ]) {
      if (out.length + piece.length + more.length + tail.length > maxText) return out + more + tail;
      out += piece;
    }
  }
  return out + tail;
}

/** The Bot API's inline keyboard, written out: grammY's builder would load grammY for two buttons. */
export const decisionButtons = (approvalId: string) => ({
  inline_keyboard: [
    [
      { text: "Approve", callback_data: `approve:${approvalId}` },
      { text: "Reject", callback_data: `reject:${approvalId}` },
    ],
  ],
});

/** Its own constant, so the bot and doctor can name the settings' type. */
const schema = ({ z }: SchemaKit) =>
  z.strictObject({
    bot_token: z.string().regex(/^\d+:[\w-]+$/, "a bot token from @BotFather, like 123456:ABC-DEF..."),
    chat_id: z.union([z.string(), z.number()]).transform(String),
    approvers: z
      .array(z.number().int())
      .default([])
      .describe("Telegram user ids who may approve, reject, pause and resume; anyone else is refused."),
    api_root: z
      .url({ protocol: /^https?$/ })
      .default("https://api.telegram.org")
      // grammY refuses a root with a trailing slash; people paste one.
      .transform((u) => u.replace(/\/+$/, ""))
      .describe("A self-hosted Bot API server; by default the one at api.telegram.org."),
    commands: z
      .boolean()
      .default(true)
      .describe(
        "Answer /status, /pending, /approve, /reject, /pause, /resume and the Approve / Reject buttons (long polling); false: send only.",
      ),
  });

export type TelegramConfig = z.output<ReturnType<typeof schema>>;

export default defineProvider({
  type: "telegram",
  description:
    "A message through grammY (`api_root` for a self-hosted Bot API server); approval requests carry Approve / Reject buttons.",
  schema,
  example: { bot_token: "123456:ABC-DEF_example", chat_id: "-100123", approvers: [12345] },
  secrets: ["bot_token"],
  doctor: (cfg) => ({ verify: (key, timeoutMs) => checkBot(cfg, key, timeoutMs) }),
  async deliver(cfg, n, opts): Promise<Delivery> {
    try {
      const api = await telegramApi(cfg, opts.timeoutMs);
      const html = n.message.sections ? sectionsHtml(n.message) : messageText(n.message);
      await api.sendMessage(cfg.chat_id, html, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(n.message.approval_id ? { reply_markup: decisionButtons(n.message.approval_id) } : {}),
      });
      return { ok: true };
    } catch (e) {
      return failure(e, cfg.bot_token);
    }
  },
});

/** Doctor's look without sending: the token answers getMe, and the bot can see the chat. */
async function checkBot(cfg: TelegramConfig, key: string, timeoutMs: number): Promise<ChannelCheck> {
  const api = await telegramApi(cfg, timeoutMs);
  let bot: string;
  try {
    bot = (await api.getMe()).username;
  } catch (e) {
    const f = failure(e, cfg.bot_token);
    const error = f.ok ? "" : f.error;
    return {
      ok: false,
      what: `${cfg.api_root}: ${error}`,
      fix: /401|404/.test(error)
        ? `the bot token is not valid: get one from @BotFather and set ${key}.bot_token`
        : `check that ${cfg.api_root} is reachable from this machine (${key}.api_root)`,
    };
  }
  try {
    await api.getChat(cfg.chat_id);
  } catch (e) {
    const f = failure(e, cfg.bot_token);
    return {
      ok: false,
      what: `bot @${bot} cannot see chat ${cfg.chat_id} (${f.ok ? "" : f.error})`,
      fix: `add @${bot} to the chat, or fix ${key}.chat_id`,
    };
  }
  return {
    ok: true,
    detail: `bot @${bot} answers and sees chat ${cfg.chat_id}; nothing sent (--send sends a test message)`,
  };
}

/** What grammY throws for an answer from Telegram (GrammyError), read by shape so grammY need not load. */
interface TelegramAnswer {
  error_code: number;
  description: string;
  parameters: { retry_after?: number };
}
const isAnswer = (e: unknown): e is TelegramAnswer =>
  typeof (e as TelegramAnswer | undefined)?.error_code === "number" &&
  typeof (e as TelegramAnswer).description === "string";

/**
 * A grammY error as the outbox retries it. The request URL holds the token and grammY's network
 * errors quote it, so the reason is taken from the error code, and anything else is scrubbed.
 */
export function failure(e: unknown, token: string): Delivery {
  if (isAnswer(e)) {
    const retry = e.parameters?.retry_after;
    return {
      ok: false,
      error: `Telegram ${e.error_code}: ${e.description}`,
      permanent: [400, 401, 403, 404].includes(e.error_code),
      ...(retry ? { retryAfterMs: retry * 1000 } : {}),
    };
  }
  const inner = (
    e as { error?: { code?: string; name?: string; message?: string; cause?: { code?: string } } }
  ).error;
  const why =
    inner?.code ??
    inner?.cause?.code ??
    (inner?.name === "AbortError" ? "no answer in time" : (inner?.message ?? (e as Error).message));
  return { ok: false, error: `Telegram unreachable: ${why.replaceAll(token, "<token>")}`, permanent: false };
}
