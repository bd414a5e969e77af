/**
 * One Telegram command bot per bot token whose channels answer commands, polled by one agent of the
 * fleet at a time (Telegram allows one poller per token): the holder of the lease
 * `telegram:<hash of the token>`. A token added by a reload needs a restart; chats and approvers
 * follow the config at once.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import { Leadership } from "../fleet/leader.ts";
import { providerOf } from "../notify/providers/index.ts";
import type { TelegramConfig } from "../notify/providers/telegram.ts";
import type { CommandDeps } from "../notify/telegram-commands.ts";
import { LeaseStore } from "../store/lease-store.ts";
import type { Wiring } from "./wiring.ts";

export async function startTelegramBots(
  w: Wiring & { commands: CommandDeps; claimer: string; log: Logger },
): Promise<void> {
  const bots = telegramBots(w.config());
  if (bots.length === 0) return;
  // grammY is loaded only for an agent that talks to Telegram (see providers/index.ts).
  const { TelegramBot } = await import("../notify/telegram-bot.ts");
  const leases = new LeaseStore(w.store.db);
  for (const cfg of bots) {
    const allowed = () => allowedFor(w.config(), cfg.bot_token);
    const log = w.log.child({ telegram_api: cfg.api_root });
    let bot: InstanceType<typeof TelegramBot> | undefined;
    const leader = new Leadership({
      leases,
      name: `telegram:${createHash("sha256").update(cfg.bot_token).digest("hex").slice(0, 16)}`,
      holder: w.claimer,
      leaseMs: w.config().agent.lease,
      clock: w.clock,
      lead: () => {
        log.info("telegram: this agent polls for the fleet");
        bot = new TelegramBot(cfg, allowed, w.commands, log);
        bot.start();
      },
      follow: async () => {
        log.info("telegram: another agent polls for the fleet");
        await bot?.stop();
        bot = undefined;
      },
      onError: (err) => log.warn({ err }, "telegram: the poller's lease was not renewed; retrying"),
    });
    await leader.start();
    w.lifecycle.defer("telegram bot", () => leader.stop());
  }
}

const telegramChannels = (config: VigilConfig): TelegramConfig[] =>
  Object.values(config.notify.channels).flatMap((c) => {
    const { type, settings } = providerOf(c);
    const t: TelegramConfig = settings;
    return type === "telegram" && t.commands ? [t] : [];
  });

/** One bot per token: Telegram allows one poller per token, however many channels share it. */
function telegramBots(config: VigilConfig): TelegramConfig[] {
  const byToken = new Map<string, TelegramConfig>();
  for (const t of telegramChannels(config)) if (!byToken.has(t.bot_token)) byToken.set(t.bot_token, t);
  return [...byToken.values()];
}

/** The chats a bot reports to and who may decide in each, as the config says now. */
function allowedFor(config: VigilConfig, token: string): Map<string, Set<number>> {
  const allowed = new Map<string, Set<number>>();
  for (const t of telegramChannels(config)) {
    if (t.bot_token !== token) continue;
    const approvers = allowed.get(t.chat_id) ?? new Set<number>();
    for (const id of t.approvers) approvers.add(id);
    allowed.set(t.chat_id, approvers);
  }
  return allowed;
}
