/**
 * Notification channels: is each one's server there? By default nothing is sent: an HTTP channel gets
 * a DNS lookup and a TCP connect to its host, an email channel an SMTP handshake (EHLO, STARTTLS,
 * login: nodemailer's `verify`), a Telegram channel `getMe` and `getChat` (the token and the chat,
 * through the configured api_root). `--send` sends a real test message through each instead, the
 * same one `vigil notify test` sends.
 */
import type { z } from "zod";
import type { VigilConfig } from "../config/schema.ts";
import { classifySmtp, smtpTransport } from "../notify/providers/email.ts";
import type { schema as emailSchema } from "../notify/providers/email.schema.ts";
import { failure, telegramApi, type TelegramConfig } from "../notify/providers/telegram.ts";
import { channelSettings, type ProviderType } from "../notify/provider-types.ts";
import { testChannel } from "../notify/test-message.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem } from "./finding.ts";
import { explainReach, reach, urlHost, urlPort, withTimeout } from "./network.ts";

type Check = (thing: string, settings: never, key: string, ctx: DoctorContext) => Promise<Finding>;

/** An HTTP channel: resolve and connect to the host of `url`; no request is made. */
function reachUrl(field: string): Check {
  return async (thing, settings: Record<string, unknown>, key, ctx) => {
    const u = new URL(String(settings[field]));
    const host = urlHost(u);
    const port = urlPort(u);
    const r = await reach(host, port, ctx.timeoutMs);
    if (r.ok)
      return ok(
        thing,
        `${host}:${port} accepts connections (${r.ms} ms); nothing sent (--send sends a test message)`,
      );
    const e = explainReach(r, host, port, ctx.timeoutMs, `${key}.${field}`);
    return problem(thing, e.what, e.fix);
  };
}

async function checkEmail(
  thing: string,
  cfg: z.output<typeof emailSchema>,
  key: string,
  ctx: DoctorContext,
): Promise<Finding> {
  const made = await smtpTransport(cfg, ctx.timeoutMs);
  if ("error" in made) return problem(thing, made.error, `fix ${key}.ca_file`);
  const { transport } = made;
  const server = (() => {
    const u = new URL(cfg.smtp);
    return `${u.hostname}:${u.port || (u.protocol === "smtps:" ? 465 : 587)}`;
  })();
  try {
    // The three timeouts bound each wait; this bounds the whole conversation.
    const answered = await withTimeout(
      transport.verify().then(() => true),
      ctx.timeoutMs * 3,
      () => false,
    );
    if (!answered) throw Object.assign(new Error("timeout"), { code: "EABORT" });
    return ok(thing, `SMTP ${server} accepts the connection and the login; nothing sent (--send sends one)`);
  } catch (e) {
    const failed = classifySmtp(e as Parameters<typeof classifySmtp>[0], ctx.timeoutMs * 3);
    const pass = safePassword(cfg.smtp);
    const what = pass ? failed.error.replaceAll(pass, "***") : failed.error;
    return problem(
      thing,
      `SMTP ${server}: ${what}`,
      failed.permanent
        ? `the server refused: check the user, password and from address in ${key}.smtp`
        : `check that the server runs at ${server} and this machine may reach it`,
    );
  } finally {
    transport.close();
  }
}

function safePassword(url: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(url).password);
    return p.length >= 3 ? p : undefined;
  } catch {
    return undefined;
  }
}

async function checkTelegram(
  thing: string,
  cfg: TelegramConfig,
  key: string,
  ctx: DoctorContext,
): Promise<Finding> {
  const api = telegramApi(cfg, ctx.timeoutMs);
  let bot: string;
  try {
    bot = (await api.getMe()).username;
  } catch (e) {
    const f = failure(e, cfg.bot_token);
    const error = f.ok ? "" : f.error;
    return problem(
      thing,
      `${cfg.api_root}: ${error}`,
      /401|404/.test(error)
        ? `the bot token is not valid: get one from @BotFather and set ${key}.bot_token`
        : `check that ${cfg.api_root} is reachable from this machine (${key}.api_root)`,
    );
  }
  try {
    await api.getChat(cfg.chat_id);
  } catch (e) {
    const f = failure(e, cfg.bot_token);
    return problem(
      thing,
      `bot @${bot} cannot see chat ${cfg.chat_id} (${f.ok ? "" : f.error})`,
      `add @${bot} to the chat, or fix ${key}.chat_id`,
    );
  }
  return ok(
    thing,
    `bot @${bot} answers and sees chat ${cfg.chat_id}; nothing sent (--send sends a test message)`,
  );
}

/** How each provider's channel is reached; a new provider adds a line here (the type says so). */
const checks: Record<ProviderType, Check> = {
  webhook: reachUrl("url"),
  slack: reachUrl("webhook_url"),
  discord: reachUrl("webhook_url"),
  ntfy: reachUrl("url"),
  email: checkEmail,
  telegram: checkTelegram,
};

async function sendTest(thing: string, name: string, notify: VigilConfig["notify"], ctx: DoctorContext) {
  const r = await testChannel(notify, name, ctx.now());
  if (r.ok) return ok(thing, `sent a test message in ${r.duration_ms} ms`);
  return problem(
    thing,
    r.error ?? "the test message was not delivered",
    r.permanent
      ? "the receiver refused it: fix the channel's settings"
      : "the receiver could not be reached; try again, or check the network",
  );
}

/** One task per channel, in config order. */
export function channelTasks(ctx: DoctorContext): (() => Promise<Finding[]>)[] {
  const notify = ctx.config.notify;
  return Object.entries(notify.channels).map(([name, channel]) => async () => {
    const { type, settings } = channelSettings(channel);
    const thing = `channel ${name} (${type})`;
    if (ctx.send) return [await sendTest(thing, name, notify, ctx)];
    return [await checks[type](thing, settings, `notify.channels.${name}.${type}`, ctx)];
  });
}
