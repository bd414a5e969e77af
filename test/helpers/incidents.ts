/**
 * Real incidents on a real SQLite store, for the tests of what opens or reads them: the bus keeps
 * every event in memory, in order, for the test to read; the store is closed after the test.
 */
import { afterEach } from "vitest";
import type { Clock } from "../../src/core/clock.ts";
import { EventBus, type NewEvent, type StoredEvent } from "../../src/core/events.ts";
import { silentLogger } from "../../src/core/log.ts";
import { Incidents, type IncidentsDeps } from "../../src/incidents/incidents.ts";
import { IncidentStore } from "../../src/store/incident-store.ts";
import { openStore } from "../../src/store/open.ts";
import type { Store } from "../../src/store/store.ts";

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/**
 * Opens the SQLite store in `dir` and a bus whose listener errors fail the test. `make` builds an
 * Incidents over the store (none yet: a test may build two, as a restart does); its defaults know
 * no failure class, no dependencies and show nothing, and `over` replaces any of them.
 */
export async function incidentsOnSqlite(clock: Clock, dir: string) {
  const store = await openStore({ store: "sqlite", dataDir: dir });
  stores.push(store);
  const events: StoredEvent[] = [];
  const bus = new EventBus({
    sink: {
      append: async (news: NewEvent[]) =>
        news.map((e) => {
          const stored = {
            ...e,
            seq: events.length + 1,
            payload: JSON.stringify(e.payload),
            prev_hash: "",
            hash: "",
          };
          events.push(stored);
          return stored;
        }),
    },
    clock,
    onListenerError: (e) => {
      throw e;
    },
  });
  const incidentStore = new IncidentStore(store.db);
  const make = (over: Partial<IncidentsDeps> = {}) =>
    new Incidents({
      store: incidentStore,
      bus,
      clock,
      log: silentLogger(),
      failureClass: () => "unknown",
      dependsOn: () => [],
      show: () => undefined,
      recentEvents: async (limit) => events.slice(-limit),
      ...over,
    });
  return { store, events, bus, incidentStore, make };
}
