/** The kill switch over a store that cannot write for a while (a full disk). */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { VigilError } from "../core/errors.ts";
import { EventBus, type NewEvent, type StoredEvent } from "../core/events.ts";
import type { Store } from "../store/store.ts";
import { KillSwitch } from "./kill-switch.ts";

function harness() {
  const clock = new FakeClock();
  const state = { full: false };
  const meta = new Map<string, string>();
  const audit: StoredEvent[] = [];
  const fail = () => {
    if (state.full) throw new VigilError("STORE_UNAVAILABLE", "database or disk is full (SQLITE_FULL)");
  };
  const store = {
    getMeta: async (k: string) => meta.get(k),
    setMeta: async (k: string, v: string) => {
      fail();
      meta.set(k, v);
    },
  } as unknown as Store;
  const bus = new EventBus({
    clock,
    onListenerError: () => undefined,
    sink: {
      append: async (events: NewEvent[]) => {
        fail();
        const stored = events.map((e, i) => ({
          ...e,
          seq: audit.length + i + 1,
          payload: JSON.stringify(e.payload),
          prev_hash: "",
          hash: "",
        }));
        audit.push(...stored);
        return stored;
      },
    },
  });
  let resumed = 0;
  const ks = new KillSwitch(
    store,
    bus,
    async () => void resumed++,
    () => clock.now(),
  );
  return { clock, state, meta, audit, ks, resumed: () => resumed };
}

describe("kill switch", () => {
  it("records a flip at once when the store writes", async () => {
    const h = harness();
    expect(await h.ks.pause("olga", "deploy")).toEqual({ paused: true, recorded: true });
    expect(h.meta.get("paused")).toBe("1");
    expect(h.audit.map((e) => [e.type, e.actor, e.payload])).toEqual([
      ["agent.paused", "olga", JSON.stringify({ reason: "deploy" })],
    ]);
  });

  it("works in memory while the store cannot write, and records it (with when) once it can", async () => {
    const h = harness();
    h.state.full = true;
    const pausedAt = h.clock.now();
    const r = await h.ks.pause("olga", "disk full");
    expect(r).toMatchObject({ paused: true, recorded: false });
    expect(r.warning).toContain("memory only");
    expect(h.ks.paused).toBe(true);
    expect(h.ks.state).toMatchObject({ paused: true, by: "olga", since: pausedAt });
    await h.clock.advance(1_000);
    expect(await h.ks.resume("olga", "back")).toMatchObject({ paused: false, recorded: false });
    expect(h.ks.paused).toBe(false);
    expect(h.resumed()).toBe(1);
    expect(await h.ks.flush()).toBe(false); // still full: nothing lost, nothing recorded
    expect(h.audit).toEqual([]);

    h.state.full = false;
    expect(await h.ks.flush()).toBe(true);
    expect(h.audit.map((e) => [e.type, JSON.parse(e.payload) as unknown])).toEqual([
      ["agent.paused", { reason: "disk full", at: pausedAt }],
      ["agent.resumed", { reason: "back", at: pausedAt + 1_000 }],
    ]);
    expect(h.meta.get("paused")).toBe("0");
    // A flip after the store came back is recorded at once, after the late ones.
    expect(await h.ks.pause("olga", "again")).toEqual({ paused: true, recorded: true });
    expect(h.audit.at(-1)?.type).toBe("agent.paused");
  });
});
