/** Wires the notification pipeline and the durable outbox to the event stream and the store. */
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { VigilConfig } from "../config/schema.ts";
import { Outbox } from "../notify/outbox.ts";
import { NotifyPipeline } from "../notify/pipeline.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import type { Store } from "../store/store.ts";

export function wireNotify(w: {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  config: () => VigilConfig;
  muted: (target: string) => string | undefined;
}): void {
  const store = new OutboxStore(w.store.db);
  const log = w.log.child({ component: "notify" });
  const outbox = new Outbox({ store, bus: w.bus, clock: w.clock, log, config: () => w.config().notify });
  outbox.start();
  w.lifecycle.defer("outbox", () => outbox.stop());
  const pipeline = new NotifyPipeline({
    bus: w.bus,
    clock: w.clock,
    log,
    outbox,
    store,
    config: w.config,
    muted: w.muted,
  });
  pipeline.start();
  w.lifecycle.defer("notify pipeline", () => pipeline.stop());
}
