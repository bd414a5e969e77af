/**
 * What every part of the agent is wired with: the store, the event bus, the clock, a logger, the
 * lifecycle that stops it, and the config as it is now (a function: a reload replaces it).
 */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { Store } from "../store/store.ts";

export interface Wiring {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  config: () => VigilConfig;
}
