/**
 * The Telegram command bot: long polling through grammY, one poller per bot token however many
 * channels share it. Each poll is bounded by Telegram's own timeout plus a margin; failures back off
 * (or wait `retry_after` on a 429) and stop wins over any wait. An update handled but not yet
 * confirmed when the agent dies is delivered again; deciding twice is refused by the approval queue,
 * so a replay does nothing.
 *
 * Owns: talking back to people on Telegram. Must not import: api, cli, app.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Bot, BotError, GrammyError } from "grammy";
import type { Logger } from "../core/log.ts";
import { failure, type TelegramConfig } from "./providers/telegram.ts";
import { commands, type Allowed, type CommandDeps } from "./telegram-commands.ts";

const pollSeconds = 25;
const maxBackoffMs = 60_000;
const confirmTimeoutMs = 2_000;

export class TelegramBot {
  readonly #bot: Bot;
  readonly #log: Logger;
  readonly #token: string;
  readonly #abort = new AbortController();
  #offset = 0;
  #loop: Promise<void> | undefined;

  constructor(cfg: TelegramConfig, allowed: Allowed, deps: CommandDeps, log: Logger) {
    this.#bot = new Bot(cfg.bot_token, {
      client: { apiRoot: cfg.api_root, timeoutSeconds: pollSeconds + 10 },
    });
    this.#bot.use(commands(deps, allowed));
    this.#log = log;
    this.#token = cfg.bot_token;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops polling, confirms what was handled (briefly), and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    if (this.#offset === 0) return;
    await this.#bot.api
      .getUpdates(
        { offset: this.#offset, limit: 1, timeout: 0 },
        grammySignal(AbortSignal.timeout(confirmTimeoutMs)),
      )
      .catch(() => undefined);
  }

  /** What went wrong, without the token that grammY's errors quote. */
  #why(err: unknown): string {
    const inner = err instanceof BotError ? err.error : err;
    const f = failure(inner, this.#token);
    return f.ok ? "" : f.error.replace(/^Telegram unreachable: /, "");
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.#bot.isInited()) await this.#bot.init(grammySignal(signal));
        const updates = await this.#bot.api.getUpdates(
          { offset: this.#offset, timeout: pollSeconds, allowed_updates: ["message", "callback_query"] },
          grammySignal(signal),
        );
        for (const u of updates) {
          this.#offset = u.update_id + 1;
          await this.#bot
            .handleUpdate(u)
            .catch((err: unknown) =>
              this.#log.error({ why: this.#why(err), update: u.update_id }, "telegram update failed"),
            );
        }
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        const retryAfter = err instanceof GrammyError ? err.parameters.retry_after : undefined;
        const wait = retryAfter
          ? retryAfter * 1000
          : Math.min(maxBackoffMs, 1000 * 2 ** Math.min(failures, 6));
        // One line per streak, then quiet: a bot that cannot reach Telegram should not flood the log.
        if (failures === 1 || retryAfter) {
          this.#log.warn({ why: this.#why(err), retry_in_ms: wait }, "telegram polling failed");
        }
        await sleep(wait, undefined, { signal }).catch(() => undefined);
      }
    }
  }
}

/** grammY types its signals with the `abort-controller` shim; Node's own is the same thing at runtime. */
const grammySignal = (s: AbortSignal) => s as unknown as Parameters<Bot["api"]["getUpdates"]>[1];
