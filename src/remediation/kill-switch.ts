/**
 * The kill switch: while paused, nothing automatic acts (restart-on-exit included); what an operator
 * asks for by hand still runs. It is stored, so it survives an agent restart, and every flip is
 * audited with who flipped it and why. A flip takes effect in memory first: when the store cannot
 * write (a full disk), the switch still works, says it is not yet recorded, and is recorded (with
 * when it took effect) as soon as the store writes again.
 */
import { isVigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { Store } from "../store/store.ts";

/** Who paused, why and since when: what the ops report tells people. */
export interface PauseState {
  paused: boolean;
  by: string | null;
  reason: string | null;
  since: number | null;
}

/** What a flip answers: `recorded: false` (with a warning) when only memory holds it yet. */
export interface FlipOutcome {
  paused: boolean;
  recorded: boolean;
  warning?: string;
}

/** A flip (or a repeat, `flipped: false`, that only rewrites the flag) not recorded yet. */
interface Unrecorded {
  paused: boolean;
  flipped: boolean;
  by: string;
  reason: string;
  at: number;
}

const notPaused: PauseState = { paused: false, by: null, reason: null, since: null };

/** Flips kept while the store fails: the last ones matter, and memory stays bounded. */
const maxUnrecorded = 100;

export class KillSwitch {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #onResume: () => Promise<void>;
  readonly #now: () => number;
  #state: PauseState = notPaused;
  #unrecorded: Unrecorded[] = [];

  constructor(store: Store, bus: EventBus, onResume: () => Promise<void>, now: () => number = Date.now) {
    this.#store = store;
    this.#bus = bus;
    this.#onResume = onResume;
    this.#now = now;
  }

  async load(): Promise<void> {
    const paused = (await this.#store.getMeta("paused")) === "1";
    this.#state = paused
      ? { ...notPaused, ...parseInfo(await this.#store.getMeta("paused_info")), paused }
      : notPaused;
  }

  get paused(): boolean {
    return this.#state.paused;
  }

  get state(): PauseState {
    return this.#state;
  }

  async pause(by: string, reason: string): Promise<FlipOutcome> {
    const was = this.#state.paused;
    if (!was) this.#state = { paused: true, by, reason, since: this.#now() };
    return this.#record({ paused: true, flipped: !was, by, reason, at: this.#now() });
  }

  async resume(by: string, reason: string): Promise<FlipOutcome> {
    const was = this.#state.paused;
    this.#state = notPaused;
    const outcome = await this.#record({ paused: false, flipped: was, by, reason, at: this.#now() });
    if (was) await this.#onResume();
    return outcome;
  }

  /** Records the flips the store could not take (call when it writes again); false if it still fails. */
  async flush(): Promise<boolean> {
    while (this.#unrecorded.length > 0) {
      const flip = this.#unrecorded[0]!;
      try {
        await this.#write(flip, flip.at);
      } catch (e) {
        if (isVigilError(e, "STORE_UNAVAILABLE")) return false;
        throw e;
      }
      this.#unrecorded.shift();
    }
    return true;
  }

  /** Stores the flag (and, when it flipped, the audit event and who/why); in memory only if the store fails. */
  async #record(flip: Unrecorded): Promise<FlipOutcome> {
    // Earlier flips wait in order: this one is recorded after them, never before.
    if (this.#unrecorded.length === 0) {
      try {
        await this.#write(flip, undefined);
        return { paused: flip.paused, recorded: true };
      } catch (e) {
        if (!isVigilError(e, "STORE_UNAVAILABLE")) throw e;
      }
    }
    this.#unrecorded = [...this.#unrecorded, flip].slice(-maxUnrecorded);
    const what = flip.paused ? "paused" : "resumed";
    return {
      paused: flip.paused,
      recorded: false,
      warning: `${what} in memory only: the store cannot write now, so this is not recorded yet and would not survive a restart; it is recorded as soon as the store writes again`,
    };
  }

  /** `lateAt`: when the flip took effect, for one recorded after the store failed to take it. */
  async #write(flip: Unrecorded, lateAt: number | undefined): Promise<void> {
    await this.#store.setMeta("paused", flip.paused ? "1" : "0");
    if (!flip.flipped) return;
    const type = flip.paused ? "agent.paused" : "agent.resumed";
    const e = await this.#bus.emit(
      type,
      "agent",
      lateAt === undefined ? { reason: flip.reason } : { reason: flip.reason, at: lateAt },
      flip.by,
    );
    if (flip.paused) {
      const since = lateAt ?? this.#state.since ?? e.ts;
      // Kept beside the flag so a restarted agent still says who paused it; the audit log has it too.
      await this.#store.setMeta("paused_info", JSON.stringify({ by: flip.by, reason: flip.reason, since }));
    }
  }
}

/** The stored who/why; a missing or damaged record only loses the detail, never the pause. */
function parseInfo(raw: string | undefined): Partial<PauseState> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as { by?: unknown; reason?: unknown; since?: unknown };
    return {
      by: typeof v.by === "string" ? v.by : null,
      reason: typeof v.reason === "string" ? v.reason : null,
      since: typeof v.since === "number" ? v.since : null,
    };
  } catch {
    return {};
  }
}
