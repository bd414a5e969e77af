/**
 * Wires the notification pipeline and the durable outbox to the event stream and the store, and
 * starts one Telegram command bot per bot token whose channels answer commands (a token added by a
 * reload needs a restart; chats and approvers follow the config at once).
 */
import type { VigilConfig } from "../config/schema.ts";
import { Outbox } from "../notify/outbox.ts";
import { NotifyPipeline } from "../notify/pipeline.ts";
import { providerOf } from "../notify/providers/index.ts";
import type { TelegramConfig } from "../notify/providers/telegram.ts";
import type { CommandDeps } from "../notify/telegram-commands.ts";
import { ActionStore } from "../store/action-store.ts";
import { IncidentStore } from "../store/incident-store.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import type { Wiring } from "./wiring.ts";

/**
 * The last event this agent's notification pipeline handled, in the store's meta table: one per
 * agent name, since agents sharing a PostgreSQL store each tell what they saw.
 */
const cursorKeyOf = (agent: string) => `notify.cursor:${agent}`;

export async function wireNotify(
  w: Wiring & {
    muted: (target: string) => string | undefined;
    commands: CommandDeps;
    /** The audit chain's head as `seq N #hash8`, carried by every outgoing message. */
    auditAnchor: () => string | undefined;
    /** This start's fleet instance, which holds the outbox rows it delivers. */
    claimer: string;
  },
): Promise<void> {
  const store = new OutboxStore(w.store.db);
  const log = w.log.child({ component: "notify" });
  const outbox = new Outbox({
    store,
    bus: w.bus,
    clock: w.clock,
    log,
    config: () => w.config().notify,
    auditAnchor: w.auditAnchor,
    claimer: w.claimer,
  });
  outbox.start();
  w.lifecycle.defer("outbox", () => outbox.stop());
  const cursorKey = cursorKeyOf(w.config().agent.name);
  const incidents = new IncidentStore(w.store.db);
  const actions = new ActionStore(w.store.db);
  const pipeline = new NotifyPipeline({
    bus: w.bus,
    clock: w.clock,
    log,
    store,
    config: w.config,
    muted: w.muted,
    cursor: {
      get: async () => {
        const v = await w.store.getMeta(cursorKey);
        return v === undefined ? undefined : Number(v);
      },
      set: (seq) => w.store.setMeta(cursorKey, String(seq)),
    },
    events: (q) => w.store.readEvents(q),
    escalations: async () =>
      (await incidents.escalatedOpen()).map((i) => ({
        incident_id: i.id,
        target: i.target,
        reason: i.escalation,
        since: i.since,
      })),
    waitingApprovals: () => actions.listApprovals("pending", 1_000),
  });
  await pipeline.start();
  w.lifecycle.defer("notify pipeline", () => pipeline.stop());

  const bots = telegramBots(w.config());
  // grammY is loaded only for an agent that talks to Telegram (see providers/index.ts).
  const { TelegramBot } =
    bots.length > 0 ? await import("../notify/telegram-bot.ts") : { TelegramBot: undefined };
  for (const cfg of bots) {
    if (!TelegramBot) break;
    const allowed = () => allowedFor(w.config(), cfg.bot_token);
    const bot = new TelegramBot(cfg, allowed, w.commands, log.child({ telegram_api: cfg.api_root }));
    bot.start();
    w.lifecycle.defer("telegram bot", () => bot.stop());
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
