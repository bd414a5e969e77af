/**
 * The kill switch: while paused, nothing automatic acts (restart-on-exit included); what an operator
 * asks for by hand still runs. It is stored, so it survives an agent restart, and every flip is
 * audited with who flipped it and why.
 */
import type { EventBus } from "../core/events.ts";
import type { Store } from "../store/store.ts";

/** Who paused, why and since when: what the ops report tells people. */
export interface PauseState {
  paused: boolean;
  by: string | null;
  reason: string | null;
  since: number | null;
}

const notPaused: PauseState = { paused: false, by: null, reason: null, since: null };

export class KillSwitch {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #onResume: () => Promise<void>;
  #state: PauseState = notPaused;

  constructor(store: Store, bus: EventBus, onResume: () => Promise<void>) {
    this.#store = store;
    this.#bus = bus;
    this.#onResume = onResume;
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

  async pause(by: string, reason: string): Promise<{ paused: boolean }> {
    await this.#store.setMeta("paused", "1");
    const was = this.#state.paused;
    if (!was) {
      this.#state = { paused: true, by, reason, since: null };
      const e = await this.#bus.emit("agent.paused", "agent", { reason }, by);
      this.#state = { ...this.#state, since: e.ts };
      // Kept beside the flag so a restarted agent still says who paused it; the audit log has it too.
      await this.#store.setMeta("paused_info", JSON.stringify({ by, reason, since: e.ts }));
    }
    return { paused: true };
  }

  async resume(by: string, reason: string): Promise<{ paused: boolean }> {
    await this.#store.setMeta("paused", "0");
    const was = this.#state.paused;
    this.#state = notPaused;
    if (was) {
      await this.#bus.emit("agent.resumed", "agent", { reason }, by);
      await this.#onResume();
    }
    return { paused: false };
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
