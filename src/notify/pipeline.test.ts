/**
 * The pipeline's stages on a real SQLite store with the real audit log (nothing is delivered), the clock in the test's
 * hands: grouping within group_wait, a target going down again held for group_interval, reminders
 * while escalated and before an approval expires, and catching up on events recorded while no
 * pipeline listened (an agent killed between recording a fact and queuing its notification).
 */
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { configSchema, type VigilConfig } from "../config/schema.ts";
import { EventBus } from "../core/events.ts";
import { silentLogger } from "../core/log.ts";
import { Redactor } from "../core/redact.ts";
import { openStore } from "../store/open.ts";
import { OutboxStore, type OutboxRow } from "../store/outbox-store.ts";
import type { Store } from "../store/store.ts";
import { NotifyPipeline, type PipelineDeps } from "./pipeline.ts";
import type { Message } from "./message.ts";
import type { Escalation, WaitingApproval } from "./reminders.ts";

const config: VigilConfig = configSchema.parse({
  notify: {
    channels: { hook: { webhook: { url: "http://127.0.0.1:9/never-called" } } },
    routes: [{ to: ["hook"] }],
    group_wait: "10s",
    group_interval: "5m",
    repeat_interval: "1h",
  },
});

interface World {
  clock: FakeClock;
  bus: EventBus;
  outbox: OutboxStore;
  escalations: Escalation[];
  approvals: WaitingApproval[];
  /** What the pipeline's context reader answers, when set. */
  context?: PipelineDeps["context"];
  pipeline(): Promise<NotifyPipeline>;
  rows(): Promise<(OutboxRow & { message: Message })[]>;
}

const stores: Store[] = [];
const pipelines: NotifyPipeline[] = [];
afterEach(async () => {
  for (const p of pipelines.splice(0)) await p.stop();
  for (const s of stores.splice(0)) await s.close();
});

async function world(): Promise<World> {
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 12));
  const store = await openStore({ store: "sqlite", dataDir: tempDir("vigil-pipeline-") });
  stores.push(store);
  const bus = new EventBus({
    sink: new AuditLog(store, new Redactor()),
    clock,
    onListenerError: (e) => console.error(e),
  });
  const outboxStore = new OutboxStore(store.db);
  const log = silentLogger();
  const w: World = {
    clock,
    bus,
    outbox: outboxStore,
    escalations: [],
    approvals: [],
    async pipeline() {
      const p = new NotifyPipeline({
        bus,
        clock,
        log,
        store: outboxStore,
        config: () => config,
        muted: () => undefined,
        cursor: {
          get: async () => {
            const v = await store.getMeta("notify.cursor");
            return v === undefined ? undefined : Number(v);
          },
          set: (seq) => store.setMeta("notify.cursor", String(seq)),
        },
        events: (q) => store.readEvents(q),
        escalations: async () => w.escalations,
        waitingApprovals: async () => w.approvals,
        ...(w.context ? { context: w.context } : {}),
      });
      await p.start();
      pipelines.push(p);
      return p;
    },
    async rows() {
      const rows = await outboxStore.list(1_000);
      return rows
        .map((r) => ({ ...r, message: JSON.parse(r.body) as Message }))
        .sort((a, b) => a.created_at - b.created_at);
    },
  };
  return w;
}

const opened = (w: World, target: string, id: string) =>
  w.bus.emit("incident.opened", target, {
    incident_id: id,
    failure_class: "crashed",
    reopened: false,
    detail: null,
  });
const resolved = (w: World, target: string, id: string) =>
  w.bus.emit("incident.resolved", target, { incident_id: id, duration_ms: 2_000 });
/**
 * Moves time a reminder pass at a time: a pass reads the store, which settles outside the fake
 * clock, so each one is let finish before time moves on.
 */
async function step(w: World, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 30_000) {
    await w.clock.advance(Math.min(30_000, left));
    await new Promise((r) => setTimeout(r, 2));
  }
}

const pending = async (w: World) => (await w.rows()).filter((r) => r.status === "pending");

/** A world where web's first fall went out (marked sent) after group_wait: when it was sent. */
async function toldOnce(): Promise<{ w: World; sentAt: number }> {
  const w = await world();
  await w.pipeline();
  await opened(w, "web", "i1");
  await w.clock.advance(10_000);
  const [first] = await pending(w);
  await w.outbox.update({ ...first!, status: "sent", sent_at: w.clock.now() });
  return { w, sentAt: w.clock.now() };
}

describe("notification pipeline", () => {
  it("a fall and a recovery within group_wait are one message; resolved after it goes on its own", async () => {
    const w = await world();
    await w.pipeline();
    await opened(w, "web", "i1");
    await w.clock.advance(2_000);
    await resolved(w, "web", "i1");
    await w.clock.advance(1);
    const [group, ...rest] = await pending(w);
    expect(rest).toEqual([]);
    expect(group!.message.items?.map((i) => i.kind)).toEqual(["incident.opened", "incident.resolved"]);
    expect(group!.message.title).toBe("web recovered (2 updates)");
    // Due when the first notice's group_wait ends, not pushed back by the second.
    expect(group!.next_at).toBe(group!.created_at + 10_000);
    // The merged notice keeps its key: queued again, it is a duplicate.
    expect((await w.rows()).map((r) => r.status)).toEqual(["pending", "merged"]);
  });

  it("a restart joins its incident's message, which carries the context read for the newest notice", async () => {
    const w = await world();
    let reads = 0;
    w.context = async (n) =>
      n.kind === "approval.requested"
        ? undefined
        : {
            incident_id: "i1",
            status: n.kind === "incident.resolved" ? "resolved" : "open",
            since: 0,
            results: [true, false],
            tried: [],
            next: { what: `read ${++reads} for ${n.kind}`, final: false },
          };
    await w.pipeline();
    await opened(w, "web", "i1");
    await w.clock.advance(1);
    await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 100, reason: "exited with code 1" });
    await w.clock.advance(1_000);
    await resolved(w, "web", "i1");
    await w.clock.advance(1);
    const [group, ...rest] = await pending(w);
    expect(rest).toEqual([]);
    expect(group!.message.items?.map((i) => i.kind)).toEqual([
      "incident.opened",
      "service.restart_scheduled",
      "incident.resolved",
    ]);
    expect(group!.message.context).toMatchObject({
      status: "resolved",
      next: { what: "read 3 for incident.resolved" },
    });
  });

  it("a target going down again within group_interval of its last message waits for the interval", async () => {
    const { w, sentAt } = await toldOnce();
    await w.clock.advance(30_000);
    await opened(w, "web", "i2");
    await w.clock.advance(1);
    const [held] = await pending(w);
    expect(held!.next_at).toBe(sentAt + 5 * 60_000);
    // Its recovery waits with it: nobody has heard of that going-down yet, and a flapping target
    // is one summary per interval, not a page per flip.
    await w.clock.advance(60_000);
    await resolved(w, "web", "i2");
    await w.clock.advance(1);
    const [joined, ...none] = await pending(w);
    expect(none).toEqual([]);
    expect(joined!.id).toBe(held!.id);
    expect(joined!.next_at).toBe(sentAt + 5 * 60_000);
    expect(joined!.message.items?.map((i) => i.kind)).toEqual(["incident.opened", "incident.resolved"]);
    // Another target is its own group.
    await opened(w, "db", "i3");
    await w.clock.advance(1);
    expect((await pending(w)).map((r) => r.target)).toEqual(["web", "db"]);
  });

  it("a restart within group_interval waits for it with its recovery; an escalation pulls it forward", async () => {
    const { w, sentAt } = await toldOnce();
    // Crash, restart, running again, three times over: nothing more goes out before the interval.
    for (const id of ["i2", "i3", "i4"]) {
      await w.clock.advance(20_000);
      await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 100, reason: "exited with code 1" });
      await opened(w, "web", id);
      await w.clock.advance(1_000);
      await resolved(w, "web", id);
      await w.clock.advance(1);
      const [held, ...none] = await pending(w);
      expect(none).toEqual([]);
      expect(held!.next_at).toBe(sentAt + 5 * 60_000);
    }
    const [summary] = await pending(w);
    expect(summary!.message.items?.map((i) => i.kind)).toEqual(
      Array(3).fill(["service.restart_scheduled", "incident.opened", "incident.resolved"]).flat(),
    );
    // Giving up is told within group_wait, with the summary.
    await w.clock.advance(20_000);
    await w.bus.emit("service.restart_scheduled", "web", { delay_ms: 100, reason: "exited with code 1" });
    await opened(w, "web", "i5");
    await w.bus.emit("incident.escalated", "web", {
      incident_id: "i5",
      reason: "the supervisor gave up",
      gave_up: true,
    });
    await expect.poll(async () => (await pending(w))[0]?.message.kind).toBe("incident.escalated");
    const [told, ...alone] = await pending(w);
    expect(alone).toEqual([]);
    expect(told!.id).toBe(summary!.id);
    expect(told!.next_at).toBe(w.clock.now() + 10_000);
  });

  it("a fall within group_interval waits with its steps and its escalation: a summary, not a page per fall", async () => {
    const { w, sentAt } = await toldOnce();
    await w.clock.advance(30_000);
    await opened(w, "web", "i2");
    await w.bus.emit("remediation.decided", "web", {
      incident_id: "i2",
      action: "restart",
      attempt: 1,
      executed: true,
      explanation: "it worked 3 of 3 times",
    });
    await w.bus.emit("remediation.finished", "web", {
      incident_id: "i2",
      action: "restart",
      outcome: "failed",
      detail: "still down after verify_within",
      recovered_ms: null,
    });
    await w.bus.emit("incident.escalated", "web", {
      incident_id: "i2",
      reason: "no runbook step applies to crashed; a person must look",
    });
    await expect.poll(async () => (await pending(w))[0]?.message.items?.length).toBe(4);
    const [held, ...none] = await pending(w);
    expect(none).toEqual([]);
    expect(held!.next_at).toBe(sentAt + 5 * 60_000);
    expect(held!.message.items?.map((i) => i.kind)).toEqual([
      "incident.opened",
      "remediation.decided",
      "remediation.finished",
      "incident.escalated",
    ]);
    // News of a fall that was told is not held: its escalation goes within group_wait, and takes the
    // waiting summary with it.
    await w.bus.emit("incident.escalated", "web", { incident_id: "i1", reason: "3 of max_attempts 3 tried" });
    await expect.poll(async () => (await pending(w)).map((r) => r.next_at)).toEqual([w.clock.now() + 10_000]);
  });

  it("approval requests are never grouped; each carries its approval id", async () => {
    const w = await world();
    await w.pipeline();
    for (const id of ["a1", "a2"]) {
      await w.bus.emit("approval.requested", "web", {
        approval_id: id,
        action: "restart",
        params: {},
        target: "web",
        reason: "",
        required: 1,
        expires_at: 0,
        assessment: "high",
      });
    }
    await w.clock.advance(1);
    expect((await pending(w)).map((r) => r.message.approval_id)).toEqual(["a1", "a2"]);
  });

  it("reminds of an escalation every repeat_interval, once per interval, and of an approval before it expires", async () => {
    const w = await world();
    const now = w.clock.now();
    w.escalations.push({
      incident_id: "i9",
      target: "disk",
      reason: "budget spent",
      since: now - 59 * 60_000,
    });
    w.approvals.push({
      id: "ap1",
      action: "free-port",
      target: "web",
      requested_by: "vigil",
      requested_at: now,
      expires_at: now + 30 * 60_000,
    });
    await w.pipeline();
    const keys = async () => (await w.rows()).map((r) => r.dedup_key);
    await step(w, 2 * 60_000);
    expect(await keys()).toEqual(["incident:i9:reminder:1"]);
    // A quarter of a 30-minute request's life is more than 5 minutes: the reminder comes 5 minutes before.
    await step(w, 22 * 60_000);
    expect(await keys()).toEqual(["incident:i9:reminder:1"]);
    await step(w, 2 * 60_000);
    expect(await keys()).toEqual(["incident:i9:reminder:1", "approval:ap1:reminder"]);
    const reminder = (await w.rows()).find((r) => r.kind === "approval.reminder")!;
    expect(reminder.message.approval_id).toBe("ap1");
    expect(reminder.message.title).toMatch(/^Still waiting: free-port on web expires in [45] min$/);
    await step(w, 36 * 60_000);
    expect(await keys()).toEqual([
      "incident:i9:reminder:1",
      "approval:ap1:reminder",
      "incident:i9:reminder:2",
    ]);
  });

  it("catches up on what was recorded while no pipeline listened, without telling anything twice", async () => {
    const w = await world();
    const first = await w.pipeline();
    await opened(w, "web", "i1");
    await first.stop();
    // The agent died after recording these and before queuing them.
    await opened(w, "db", "i2");
    await resolved(w, "web", "i1");
    await w.pipeline();
    await w.clock.advance(1);
    const rows = await w.rows();
    expect(rows.map((r) => `${r.target}:${r.kind}:${r.status}`)).toEqual([
      "web:incident.opened:pending",
      "db:incident.opened:pending",
      "web:incident.resolved:merged",
    ]);
    expect(rows[0]!.message.items?.map((i) => i.kind)).toEqual(["incident.opened", "incident.resolved"]);
    // A third start has nothing to catch up on.
    await w.pipeline();
    expect(await w.rows()).toHaveLength(3);
  });
});
