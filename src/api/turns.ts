/**
 * Request handlers take turns with the rest of the agent. node:http parses every request as it
 * arrives, and each one's handler used to run at once: 1,000 clients asking for the target list
 * made one turn of the event loop run 1,000 handlers, and `/health`, the checks' timers and the
 * scheduler waited behind all of them (seconds). Now a handler starts only while the current turn
 * has spent less than `budgetMs` since its first handler began; the others wait, first come first
 * served, and start in the next turns. A turn then ends within about `budgetMs` however many
 * requests are waiting, and an `urgent` route (`/health`) waits for one turn, not a thousand
 * handlers. An idle agent starts every handler at once, as before.
 *
 * Owns: the per-turn budget of handlers. Must not import: anything of the agent.
 */

export interface TurnBudgetOptions {
  /** How long the handlers of one turn of the event loop may run before the rest wait for the next. */
  budgetMs?: number;
  /** A monotonic clock in ms. */
  now?: () => number;
}

/**
 * @example
 * const turns = new TurnBudget();
 * const wait = turns.take();
 * return wait ? wait.then(() => handler(c)) : handler(c);
 */
export class TurnBudget {
  readonly #budgetMs: number;
  readonly #now: () => number;
  readonly #waiting: (() => void)[] = [];
  /** When the current turn's first handler began; -1 when none has yet. */
  #turnStart = -1;
  #nextTurnScheduled = false;

  constructor(opts: TurnBudgetOptions = {}) {
    this.#budgetMs = opts.budgetMs ?? 10;
    this.#now = opts.now ?? (() => performance.now());
  }

  /** Handlers waiting for a turn now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Undefined when the handler may start now (no extra tick for an idle agent); otherwise a promise
   * that resolves when its turn comes.
   */
  take(): Promise<void> | undefined {
    this.#endTurnSoon();
    if (this.#waiting.length === 0 && this.#withinBudget()) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #withinBudget(): boolean {
    const now = this.#now();
    if (this.#turnStart < 0) this.#turnStart = now;
    return now - this.#turnStart < this.#budgetMs;
  }

  /** The turn ends with this iteration of the event loop (setImmediate runs at its end). */
  #endTurnSoon(): void {
    if (this.#nextTurnScheduled) return;
    this.#nextTurnScheduled = true;
    setImmediate(this.#nextTurn);
  }

  readonly #nextTurn = (): void => {
    this.#nextTurnScheduled = false;
    this.#turnStart = -1;
    this.#release();
  };

  /**
   * Starts waiting handlers one after another while the budget lasts. Each next one is queued
   * behind the handler just released, so the time of its synchronous part is counted.
   */
  readonly #release = (): void => {
    if (this.#waiting.length === 0) return;
    if (!this.#withinBudget()) {
      this.#endTurnSoon();
      return;
    }
    this.#waiting.shift()!();
    this.#endTurnSoon();
    queueMicrotask(this.#release);
  };
}
