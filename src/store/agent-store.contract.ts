/** Fleet membership behaves the same on SQLite and PostgreSQL: names held by leases, SQLite one agent. */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { until } from "../../test/helpers/poll.ts";
import { isVigilError } from "../core/errors.ts";
import { Membership, type MembershipOptions } from "../fleet/membership.ts";
import { AgentStore } from "./agent-store.ts";
import type { Store } from "./store.ts";

const leaseMs = 10_000;

function member(store: Store, clock: FakeClock, name: string, over: Partial<MembershipOptions> = {}) {
  const lost: string[] = [];
  const m = new Membership({
    store: new AgentStore(store.db),
    name,
    version: "0.0.0-test",
    leaseMs,
    clock,
    storeDescription: store.description,
    info: () => ({ targets: 3, open_incidents: 1 }),
    onLost: (holder) => lost.push(holder),
    onError: (err) => {
      throw err;
    },
    ...over,
  });
  return { m, lost };
}

const refusal = (e: unknown) =>
  isVigilError(e, "AGENT_NAME_TAKEN") ? e.message : `not refused: ${String(e)}`;

export function agentsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} fleet membership`, () => {
    it("refuses a live agent's name, frees it on a clean stop, and takes it after the lease lapses", async () => {
      const store = await makeStore();
      try {
        const clock = new FakeClock();
        const first = member(store, clock, "web-1");
        await first.m.join();
        first.m.start();
        // A second start on this very process is not a crashed predecessor: its pid is alive.
        const second = member(store, clock, "web-1");
        expect(refusal(await second.m.join().catch((e: unknown) => e))).toMatch(
          /agent.name "web-1" is taken: an agent with that name is alive on host .+ \(pid \d+.*give this agent its own agent.name/,
        );
        // Renewed every third of the lease (a renewal is real I/O, so each one is waited for).
        for (let i = 1; i <= 9; i++) {
          await clock.advance(Math.floor(leaseMs / 3));
          const at = clock.now();
          await until("the lease renewed", async () =>
            (await first.m.view())[0]?.last_seen === at ? true : undefined,
          );
        }
        expect((await first.m.view()).map((v) => [v.name, v.state, v.self, v.targets])).toEqual([
          ["web-1", "alive", true, 3],
        ]);
        await first.m.stop();
        expect((await second.m.view())[0]?.state).toBe("stopped");
        await second.m.join();
        expect((await second.m.view())[0]).toMatchObject({ state: "alive", self: true, open_incidents: 1 });
        await second.m.stop();
      } finally {
        await store.close();
      }
    });

    it("counts a lapsed lease as dead, and the start that takes the name makes the old one step back", async () => {
      const store = await makeStore();
      try {
        const clock = new FakeClock();
        const old = member(store, clock, "web-1");
        await old.m.join();
        // Never renewed (cut off from the store): after the lease it is dead to the fleet.
        await clock.advance(leaseMs + 1);
        expect((await old.m.view())[0]?.state).toBe("dead");
        const taker = member(store, clock, "web-1");
        await taker.m.join();
        await old.m.renew();
        expect(old.lost).toHaveLength(1);
        expect(old.lost[0]).toMatch(/\(pid \d+\)/);
        // The one that stepped back does not free the name it no longer holds.
        await old.m.stop();
        expect((await taker.m.view())[0]).toMatchObject({ state: "alive", self: true });
        await taker.m.stop();
      } finally {
        await store.close();
      }
    });

    it(
      name === "sqlite"
        ? "is one agent: a second name on the same file is refused"
        : "holds agents of different names side by side",
      async () => {
        const store = await makeStore();
        try {
          const clock = new FakeClock();
          const a = member(store, clock, "web-1");
          await a.m.join();
          const b = member(store, clock, "web-2");
          const joined = await b.m.join().then(
            () => "joined",
            (e: unknown) => refusal(e),
          );
          if (name === "sqlite") {
            expect(joined).toMatch(
              /is in use by agent "web-1" .*SQLite is one agent: give this agent its own agent.data_dir, or share a postgres:\/\/ store/,
            );
          } else {
            expect(joined).toBe("joined");
            expect((await a.m.view()).map((v) => [v.name, v.state, v.self])).toEqual([
              ["web-1", "alive", true],
              ["web-2", "alive", false],
            ]);
          }
          await a.m.stop();
          await b.m.stop();
        } finally {
          await store.close();
        }
      },
    );
  });
}
