/**
 * One `/events` stream per agent for every container service: the engine tells Vigil of a `die` the
 * moment it happens (no polling). When the stream drops it is opened again with a growing delay,
 * asking the engine to replay what happened since the drop, and every service then checks its
 * container by inspect, so a death during the gap is never missed.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import type { Engine, EngineEvent } from "../containers/engine.ts";

/** Reconnect delays: from 100 ms, doubling, up to 5 s; back to 100 ms after a stream that held. */
const firstDelayMs = 100;
const maxDelayMs = 5_000;
/** A stream that stayed open this long was fine: the next drop starts the delays over. */
const heldMs = 10_000;
/** Replay from a little before the drop: the engine's `since` counts whole seconds. */
const replayMarginMs = 2_000;

export class ContainerEvents {
  /** Read at each (re)connect: a reload may point `agent.docker.host` elsewhere (see `reopen`). */
  readonly #engine: () => Engine;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listeners = new Map<string, Set<(e: EngineEvent) => void>>();
  readonly #reconcilers = new Set<() => void>();
  #abort: AbortController | undefined;
  #timer: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #open = false;
  #opened!: Promise<void>;
  #markOpened!: () => void;

  constructor(d: { engine: () => Engine; clock: Clock; log: Logger }) {
    this.#engine = d.engine;
    this.#clock = d.clock;
    this.#log = d.log;
    this.#opened = new Promise((r) => (this.#markOpened = r));
  }

  /** Calls `onDie` for every `die` of the container with that id; returns the way to stop. */
  listen(id: string, onDie: (e: EngineEvent) => void): () => void {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, (set = new Set()));
    set.add(onDie);
    return () => {
      set.delete(onDie);
      if (set.size === 0 && this.#listeners.get(id) === set) this.#listeners.delete(id);
    };
  }

  /** Runs `check` each time the stream opens again after a drop. */
  onReconnect(check: () => void): () => void {
    this.#reconcilers.add(check);
    return () => this.#reconcilers.delete(check);
  }

  /** Whether the stream is open now. */
  get open(): boolean {
    return this.#open;
  }

  /** Opens the stream; resolves once it is open, or after `waitMs` (it keeps trying meanwhile). */
  async start(waitMs = 3_000): Promise<void> {
    if (!this.#running && !this.#stopped) {
      this.#running = this.#loop().catch((err: unknown) =>
        this.#log.error({ err }, "the container event stream stopped"),
      );
    }
    if (waitMs <= 0 || this.#open) return;
    let timer: TimerHandle | undefined;
    await Promise.race([this.#opened, new Promise<void>((r) => (timer = this.#clock.setTimeout(r, waitMs)))]);
    timer?.cancel();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#timer?.cancel();
    this.#wake?.();
    await this.#running;
  }

  #wake: (() => void) | undefined;
  #reopening = false;

  /** Drops the stream and opens it again at once (on the engine now configured), then checks by inspect. */
  reopen(): void {
    this.#reopening = true;
    this.#abort?.abort();
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    let delay = firstDelayMs;
    let since: number | undefined;
    let failing = false;
    let first = true;
    while (!this.#stopped) {
      const abort = new AbortController();
      this.#abort = abort;
      const openedAt = Date.now();
      try {
        await this.#engine().events(
          // Docker filters on "die"; Podman's compatible API only on its own name, "died" (it still
          // reports the event as "die"). Each ignores the other's name.
          {
            filters: { type: ["container"], event: ["die", "died"] },
            ...(since === undefined ? {} : { since }),
          },
          (e) => this.#dispatch(e),
          abort.signal,
          {
            onOpen: () => {
              this.#open = true;
              if (failing) this.#log.info("the container event stream is open again");
              failing = false;
              this.#markOpened();
              if (!first) for (const check of this.#reconcilers) check();
              first = false;
            },
          },
        );
      } catch (err) {
        if (!failing && !this.#stopped)
          this.#log.warn({ err: String(err) }, "the container event stream dropped");
        failing = true;
      }
      this.#open = false;
      if (this.#stopped) break;
      since = Date.now() - replayMarginMs;
      if (Date.now() - openedAt > heldMs) delay = firstDelayMs;
      if (this.#reopening) {
        this.#reopening = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = this.#clock.setTimeout(resolve, delay);
      });
      this.#wake = undefined;
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }

  #dispatch(e: EngineEvent): void {
    if (e.type !== "container" || e.action !== "die") return;
    for (const onDie of [...(this.#listeners.get(e.id) ?? [])]) {
      try {
        onDie(e);
      } catch (err) {
        this.#log.error({ err }, "a container event listener failed");
      }
    }
  }
}
