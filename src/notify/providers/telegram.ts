/**
 * `telegram`: one message per notification through grammY, to the configured chat. An approval
 * request carries inline Approve / Reject buttons, which the command bot answers. A 429 waits for
 * Telegram's `retry_after`; 400, 401, 403 and 404 (bad chat, revoked token, bot blocked) will not
 * get better by retrying.
 */
import { Api, GrammyError, InlineKeyboard } from "grammy";
import type { z } from "zod";
import type { Delivery, Outgoing, Provider } from "../provider.ts";
import type { schema } from "./telegram.schema.ts";

export type TelegramConfig = z.output<typeof schema>;

/** Telegram's limit for one message's text. */
const maxText = 4096;

export function telegramApi(cfg: TelegramConfig, timeoutMs: number): Api {
  return new Api(cfg.bot_token, {
    apiRoot: cfg.api_root,
    timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
  });
}

export function messageText(m: Outgoing["message"]): string {
  const text = `${m.title}\n\n${m.text}`;
  return text.length <= maxText ? text : `${text.slice(0, maxText - 1)}…`;
}

export const decisionButtons = (approvalId: string): InlineKeyboard =>
  new InlineKeyboard().text("Approve", `approve:${approvalId}`).text("Reject", `reject:${approvalId}`);

export const telegramProvider: Provider<TelegramConfig> = {
  type: "telegram",
  async deliver(cfg, n, opts): Promise<Delivery> {
    try {
      await telegramApi(cfg, opts.timeoutMs).sendMessage(cfg.chat_id, messageText(n.message), {
        link_preview_options: { is_disabled: true },
        ...(n.message.approval_id ? { reply_markup: decisionButtons(n.message.approval_id) } : {}),
      });
      return { ok: true };
    } catch (e) {
      return failure(e, cfg.bot_token);
    }
  },
};

/**
 * A grammY error as the outbox retries it. The request URL holds the token and grammY's network
 * errors quote it, so the reason is taken from the error code, and anything else is scrubbed.
 */
export function failure(e: unknown, token: string): Delivery {
  if (e instanceof GrammyError) {
    const retry = e.parameters.retry_after;
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
