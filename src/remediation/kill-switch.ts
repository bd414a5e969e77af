/**
 * The kill switch: while paused, nothing automatic acts (restart-on-exit included); what an operator
 * asks for by hand still runs. It is stored, so it survives an agent restart, and every flip is
 * audited with who flipped it and why.
 */
import type { EventBus } from "../core/events.ts";
import type { Store } from "../store/store.ts";

export class KillSwitch {
  readonly #store: Store;
  readonly #bus: EventBus;
  readonly #onResume: () => Promise<void>;
  #paused = false;

  constructor(store: Store, bus: EventBus, onResume: () => Promise<void>) {
    this.#store = store;
    this.#bus = bus;
    this.#onResume = onResume;
  }

  async load(): Promise<void> {
    this.#paused = (await this.#store.getMeta("paused")) === "1";
  }

  get paused(): boolean {
    return this.#paused;
  }

  async pause(by: string, reason: string): Promise<{ paused: boolean }> {
    await this.#store.setMeta("paused", "1");
    const was = this.#paused;
    this.#paused = true;
    if (!was) await this.#bus.emit("agent.paused", "agent", { reason }, by);
    return { paused: true };
  }

  async resume(by: string, reason: string): Promise<{ paused: boolean }> {
    await this.#store.setMeta("paused", "0");
    const was = this.#paused;
    this.#paused = false;
    if (was) {
      await this.#bus.emit("agent.resumed", "agent", { reason }, by);
      await this.#onResume();
    }
    return { paused: false };
  }
}
