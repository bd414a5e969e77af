/**
 * Port conflicts: which services found their port taken at their last start, and by whom, until a
 * start succeeds. An incident names the holder from here, and its failure class is `port_in_use`.
 */
import type { ServiceEvent } from "./types.ts";

export interface PortConflict {
  port: number;
  /** `pid 123 (python -m http.server)`, or who it is when the process cannot be seen. */
  holder: string;
}

export class PortConflicts {
  readonly #held = new Map<string, PortConflict>();

  /** Follows a service's events: a port conflict is remembered, a successful start forgets it. */
  observe(name: string, e: ServiceEvent): void {
    if (e.kind === "started") this.#held.delete(name);
    else if (e.kind === "port-conflict") this.#held.set(name, { port: e.port, holder: e.holder });
  }

  /** Who held the service's port at its last start, while no start has succeeded since. */
  get(name: string): PortConflict | undefined {
    return this.#held.get(name);
  }
}
