/**
 * A pass that repeats every `everyMs` until stopped and never overlaps itself: `run()` asks for one
 * now and joins the one in flight, if any. Errors go to `onError`; the next tick still comes.
 */
import type { Clock, TimerHandle } from "./clock.ts";

export class Ticker {
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #fn: () => Promise<void>;
  readonly #onError: (err: unknown) => void;
  #timer: TimerHandle | undefined;
  #pass: Promise<void> | undefined;
  #stopped = false;

  constructor(clock: Clock, everyMs: number, fn: () => Promise<void>, onError: (err: unknown) => void) {
    this.#clock = clock;
    this.#everyMs = everyMs;
    this.#fn = fn;
    this.#onError = onError;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#timer = this.#clock.setTimeout(() => void this.run().finally(tick), this.#everyMs);
    };
    tick();
  }

  /** A pass now, then one every `everyMs` until stopped. */
  async runAndStart(): Promise<void> {
    await this.run();
    this.start();
  }

  run(): Promise<void> {
    this.#pass ??= this.#fn()
      .catch(this.#onError)
      .finally(() => (this.#pass = undefined));
    return this.#pass;
  }

  /** No more passes; resolves when the one in flight has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#pass;
  }
}
