/**
 * The event stream's promises, one at a time against a feed the test controls: replay then live with
 * no gap and no duplicate (including events that land while the replay reads), the replay bound,
 * type filters, heartbeats, and that every way a stream ends releases its listener, timer and slot.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { isVigilError } from "../core/errors.ts";
import type { StoredEvent } from "../core/events.ts";
import { silentLogger } from "../core/log.ts";
import { EventStreams, type EventStreamsOptions } from "./event-streams.ts";

const ev = (seq: number, type = "check.result"): StoredEvent => ({
  seq,
  ts: 1_700_000_000_000 + seq,
  actor: "vigil",
  type,
  subject: "web",
  payload: `{"n":${seq}}`,
  prev_hash: "0".repeat(64),
  hash: "1".repeat(64),
});

function feed(stored: StoredEvent[] = []) {
  const listeners = new Set<(e: StoredEvent) => void>();
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  return {
    listeners,
    stored,
    reads: 0,
    subscribe(l: (e: StoredEvent) => void) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    async page(after: number, limit: number) {
      this.reads++;
      // What is stored when the read starts is what it returns, however long it then takes.
      const rows = stored.filter((e) => e.seq > after).slice(0, limit);
      await gate;
      return rows;
    },
    /** Appends and tells the listeners, as the bus does after a commit. */
    emit(e: StoredEvent) {
      stored.push(e);
      for (const l of listeners) l(e);
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release() {
      gate = undefined;
      release?.();
    },
  };
}

function make(f: ReturnType<typeof feed>, opts: Partial<EventStreamsOptions> = {}) {
  const clock = new FakeClock();
  const streams = new EventStreams({ feed: f, clock, log: silentLogger(), ...opts });
  return { streams, clock };
}

/** Reads the stream as text until `until` holds or it ends; `done` says whether it ended. */
async function read(body: ReadableStream<Uint8Array>, until: (text: string) => boolean) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let done = false;
  try {
    while (!until(text)) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      text += decoder.decode(r.value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return { text, done };
}

const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
const tick = () => new Promise((r) => setImmediate(r));

describe("event streams", () => {
  it("frames each event as id, event and data (the audit line)", async () => {
    const f = feed();
    const { streams } = make(f);
    const body = streams.open({ after: undefined, types: [] });
    f.emit(ev(7, "incident.opened"));
    const { text } = await read(body, (t) => t.includes("id: 7"));
    expect(text).toMatch(/^retry: \d+\n/);
    const block = text.slice(text.indexOf("id: 7"));
    expect(block).toMatch(/^id: 7\nevent: incident\.opened\ndata: \{.*\}\n\n$/);
    const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>;
    expect(data).toMatchObject({ seq: 7, type: "incident.opened", subject: "web", payload: { n: 7 } });
    expect(f.reads).toBe(0); // no Last-Event-ID: live only
  });

  it("replays what was missed, then live ones: no gap and no duplicate when events land during the replay", async () => {
    const f = feed([1, 2, 3, 4].map((n) => ev(n)));
    const { streams } = make(f);
    f.hold();
    const body = streams.open({ after: 2, types: [] });
    await tick();
    // 5 is committed after the read began (the read does not see it), 4 is seen by both.
    f.emit(ev(5));
    for (const l of f.listeners) l(ev(4));
    f.release();
    await tick();
    f.emit(ev(6));
    const { text } = await read(body, (t) => t.includes("id: 6"));
    expect(ids(text)).toEqual([3, 4, 5, 6]);
  });

  it("replays at most maxReplay events, then says where to resume and ends", async () => {
    const f = feed(Array.from({ length: 25 }, (_, i) => ev(i + 1)));
    const { streams } = make(f, { maxReplay: 10 });
    const { text, done } = await read(streams.open({ after: 0, types: [] }), () => false);
    expect(done).toBe(true);
    const limit = text.slice(text.indexOf("event: replay.limit") - "id: 10\n".length);
    expect(limit).toMatch(/^id: 10\nevent: replay\.limit\ndata: .*"after":10.*\n\n$/);
    expect(ids(text)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
    expect(streams.count).toBe(0);
    expect(f.listeners.size).toBe(0);
    // Resuming from the id it gave continues exactly after it.
    const rest = await read(streams.open({ after: 10, types: [] }), (t) => t.includes("id: 20"));
    expect(ids(rest.text)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it("filters by exact type and by family, in the replay and live", async () => {
    const f = feed([ev(1, "check.result"), ev(2, "incident.opened"), ev(3, "target.state")]);
    const { streams } = make(f);
    const body = streams.open({ after: 0, types: ["incident.*", "target.state"] });
    await tick();
    f.emit(ev(4, "check.result"));
    f.emit(ev(5, "incident.resolved"));
    const { text } = await read(body, (t) => t.includes("id: 5"));
    expect(ids(text)).toEqual([2, 3, 5]);
  });

  it("sends a heartbeat comment every heartbeatMs", async () => {
    const f = feed();
    const { streams, clock } = make(f, { heartbeatMs: 15_000 });
    const body = streams.open({ after: undefined, types: [] });
    await clock.advance(15_000);
    const { text } = await read(body, (t) => t.includes(": keepalive"));
    expect(text).toContain(": keepalive\n\n");
  });

  it("a client that goes away releases its listener, timer and slot", async () => {
    const f = feed();
    const { streams, clock } = make(f, { heartbeatMs: 1_000 });
    const body = streams.open({ after: undefined, types: [] });
    expect(streams.count).toBe(1);
    expect(f.listeners.size).toBe(1);
    await body.cancel();
    expect(streams.count).toBe(0);
    expect(f.listeners.size).toBe(0);
    await clock.advance(5_000); // a heartbeat on a cancelled stream would throw here
  });

  it("a client too slow to read is disconnected instead of queueing without bound", async () => {
    const f = feed();
    const { streams } = make(f, { maxQueuedBytes: 100_000 });
    const body = streams.open({ after: undefined, types: [] });
    for (let seq = 1; seq <= 2_000; seq++) f.emit(ev(seq));
    expect(streams.count).toBe(0);
    expect(f.listeners.size).toBe(0);
    await expect(body.getReader().read()).rejects.toThrow(/too slow/);
  });

  it("refuses one stream more than maxStreams with RATE_LIMITED", () => {
    const { streams } = make(feed(), { maxStreams: 2 });
    streams.open({ after: undefined, types: [] });
    streams.open({ after: undefined, types: [] });
    let caught: unknown;
    try {
      streams.open({ after: undefined, types: [] });
    } catch (e) {
      caught = e;
    }
    expect(isVigilError(caught, "RATE_LIMITED")).toBe(true);
    expect((caught as Error).message).toContain("2 event streams are open");
  });

  it("refuses one stream more than maxPerOwner for one owner, while others still get theirs", async () => {
    const { streams } = make(feed(), { maxStreams: 5, maxPerOwner: 2 });
    const first = streams.open({ after: undefined, types: [], owner: "vera" });
    streams.open({ after: undefined, types: [], owner: "vera" });
    let caught: unknown;
    try {
      streams.open({ after: undefined, types: [], owner: "vera" });
    } catch (e) {
      caught = e;
    }
    expect(isVigilError(caught, "RATE_LIMITED")).toBe(true);
    expect((caught as Error).message).toContain("vera holds 2 event streams");
    expect(() => streams.open({ after: undefined, types: [], owner: "olga" })).not.toThrow();
    expect(streams.count).toBe(3);
    // A stream that ends gives its owner the slot back.
    await first.cancel();
    expect(() => streams.open({ after: undefined, types: [], owner: "vera" })).not.toThrow();
  });

  it("close() ends every stream cleanly and refuses new ones", async () => {
    const f = feed();
    const { streams } = make(f);
    const body = streams.open({ after: undefined, types: [] });
    streams.close();
    const { done } = await read(body, () => false);
    expect(done).toBe(true);
    expect(streams.count).toBe(0);
    expect(f.listeners.size).toBe(0);
    expect(() => streams.open({ after: undefined, types: [] })).toThrow(/stopping/);
  });
});
