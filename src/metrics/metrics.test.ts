import { describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { EventBus, type EventMap, type EventType, type NewEvent, type StoredEvent } from "../core/events.ts";
import { feedFromEvents, observeCheck, syncLabels } from "./feed.ts";
import { defineMetrics, type ScrapeSources, type TargetSample, type VigilMetrics } from "./metrics.ts";

function memoryBus(): EventBus {
  let seq = 0;
  const sink = {
    append: async (events: NewEvent[]): Promise<StoredEvent[]> =>
      events.map((e) => ({
        seq: ++seq,
        ts: e.ts,
        actor: e.actor,
        type: e.type,
        subject: e.subject,
        payload: JSON.stringify(e.payload),
        prev_hash: "",
        hash: "",
      })),
  };
  return new EventBus({
    sink,
    clock: systemClock,
    onListenerError: (e) => {
      throw e;
    },
  });
}

/** The feed reads a few fields of each payload; the rest of the payload is not its business. */
const emit = <K extends EventType>(bus: EventBus, type: K, subject: string, p: Partial<EventMap[K]>) =>
  bus.emit(type, subject, p as EventMap[K]);

function sources(over: Partial<ScrapeSources> = {}): ScrapeSources {
  return {
    targets: () => [],
    schedulerLagMs: () => 0,
    paused: () => false,
    approvalsPending: async () => 0,
    outboxDepth: async () => ({}),
    channels: () => [],
    info: () => ({ version: "1.2.3", mode: "auto" }),
    ...over,
  };
}

/** The whole exposition, as a scrape gets it. */
const render = async (m: VigilMetrics) => Buffer.concat(await m.render()).toString();

/** The sample lines of one metric, as `labels value` strings: `{a="x"} 1`. */
async function samples(text: string | Promise<string>, name: string): Promise<string[]> {
  return (await text)
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => l.slice(name.length));
}

describe("metrics", () => {
  it("reads the gauges at scrape time: targets, states, lag, paused, approvals, outbox", async () => {
    let targets: TargetSample[] = [
      { name: "web", kind: "service", state: "up", last_result: { duration_ms: 12 } },
      { name: "disk", kind: "check", state: "degraded", last_result: null },
      { name: "db", kind: "check", state: "down", last_result: { duration_ms: 2000 } },
    ];
    const m = defineMetrics(
      sources({
        targets: () => targets,
        schedulerLagMs: () => 250,
        paused: () => true,
        approvalsPending: async () => 2,
        outboxDepth: async () => ({ ops: 3, removed: 1 }),
        channels: () => ["ops", "mail"],
      }),
    );
    const text = await render(m);
    expect(await samples(text, "vigil_target_up")).toEqual([
      '{target="web",kind="service"} 1',
      '{target="disk",kind="check"} 1',
      '{target="db",kind="check"} 0',
    ]);
    expect(await samples(text, "vigil_targets")).toEqual([
      '{state="up"} 1',
      '{state="degraded"} 1',
      '{state="down"} 1',
    ]);
    expect(await samples(text, "vigil_check_last_duration_seconds")).toEqual([
      '{target="web"} 0.012',
      '{target="db"} 2',
    ]);
    expect(await samples(text, "vigil_scheduler_lag_seconds")).toEqual([" 0.25"]);
    expect(await samples(text, "vigil_paused")).toEqual([" 1"]);
    expect(await samples(text, "vigil_approvals_pending")).toEqual([" 2"]);
    expect(await samples(text, "vigil_outbox_depth")).toEqual([
      '{channel="ops"} 3',
      '{channel="mail"} 0',
      '{channel="removed"} 1',
    ]);
    expect(await samples(text, "vigil_info")).toEqual(['{version="1.2.3",mode="auto"} 1']);

    // A target removed by a reload disappears from the next scrape.
    targets = targets.slice(0, 1);
    expect(await samples(render(m), "vigil_target_up")).toEqual(['{target="web",kind="service"} 1']);
  });

  it("counts check results by target and by type, with the duration histogram per type", async () => {
    const m = defineMetrics(sources());
    observeCheck(m, { target: "api", type: "http", ok: true, durationMs: 30 });
    observeCheck(m, { target: "api", type: "http", ok: false, durationMs: 5000, failureClass: "timeout" });
    observeCheck(m, { target: "port", type: "tcp", ok: false, durationMs: 1, failureClass: undefined });
    const text = await render(m);
    expect(await samples(text, "vigil_check_results_total")).toEqual([
      '{target="api",outcome="ok"} 1',
      '{target="api",outcome="failed"} 1',
      '{target="port",outcome="failed"} 1',
    ]);
    expect(await samples(text, "vigil_check_failures_total")).toEqual([
      '{type="http",failure_class="timeout"} 1',
      '{type="tcp",failure_class="unknown"} 1',
    ]);
    expect(await samples(text, "vigil_check_duration_seconds_count")).toEqual([
      '{type="http"} 2',
      '{type="tcp"} 1',
    ]);
    expect(await samples(text, "vigil_check_duration_seconds_bucket")).toContain('{le="0.05",type="http"} 1');
  });

  it("counts what the bus reports, with outcomes mapped onto fixed lists", async () => {
    const m = defineMetrics(sources());
    const bus = memoryBus();
    const off = feedFromEvents(m, bus);
    await emit(bus, "service.restart_scheduled", "web", { delay_ms: 0, reason: "exited with code 1" });
    await emit(bus, "target.action", "web", { action: "restart", result: "up" });
    await emit(bus, "target.action", "web", { action: "stop", result: "stopped" });
    await emit(bus, "remediation.finished", "web", {
      incident_id: "3f1c",
      action: "restart",
      outcome: "succeeded",
      recovered_ms: 4_000,
    });
    await emit(bus, "remediation.finished", "web", {
      incident_id: "3f1d",
      action: "restart",
      outcome: "failed",
      recovered_ms: null,
    });
    await emit(bus, "action.finished", "web", { action: "reindex", run_id: "r1", status: "weird" });
    await emit(bus, "notification.sent", "web", { notification_id: "n1", channel: "ops" });
    await emit(bus, "notification.failed", "web", { channel: "ops", error: "ECONNREFUSED", gave_up: false });
    await emit(bus, "notification.failed", "web", { channel: "ops", error: "400", gave_up: true });
    off();
    await emit(bus, "notification.sent", "web", { channel: "ops" });

    const text = await render(m);
    expect(await samples(text, "vigil_restarts_total")).toEqual([
      '{target="web",trigger="automatic"} 1',
      '{target="web",trigger="operator"} 1',
    ]);
    expect(await samples(text, "vigil_remediation_actions_total")).toEqual([
      '{action="restart",outcome="succeeded"} 1',
      '{action="restart",outcome="failed"} 1',
    ]);
    expect(await samples(text, "vigil_time_to_recover_seconds_sum")).toEqual(['{action="restart"} 4']);
    expect(await samples(text, "vigil_action_runs_total")).toEqual(['{action="reindex",status="other"} 1']);
    expect(await samples(text, "vigil_notifications_total")).toEqual([
      '{channel="ops",outcome="sent"} 1',
      '{channel="ops",outcome="failed"} 1',
      '{channel="ops",outcome="gave_up"} 1',
    ]);
    const audited = await samples(text, "vigil_audit_events_total");
    expect(audited).toContain('{type="notification.failed"} 2');
    expect(audited).toContain('{type="target.action"} 2');
    // Ids, messages and errors never become label values.
    expect(text).not.toMatch(/3f1c|r1"|ECONNREFUSED|exited with code/);
  });

  it("starts the declared series at zero and drops those a reload removed", async () => {
    const m = defineMetrics(sources());
    await syncLabels(m, { checked: ["a", "b"], services: ["web"], channels: ["ops"] });
    observeCheck(m, { target: "b", type: "tcp", ok: true, durationMs: 1 });
    let text = await render(m);
    expect(await samples(text, "vigil_check_results_total")).toEqual([
      '{target="a",outcome="ok"} 0',
      '{target="a",outcome="failed"} 0',
      '{target="b",outcome="ok"} 1',
      '{target="b",outcome="failed"} 0',
    ]);
    expect(await samples(text, "vigil_restarts_total")).toEqual([
      '{target="web",trigger="automatic"} 0',
      '{target="web",trigger="operator"} 0',
    ]);
    expect(await samples(text, "vigil_notifications_total")).toHaveLength(3);

    await syncLabels(m, { checked: ["b", "c"], services: [], channels: ["mail"] });
    text = await render(m);
    expect(await samples(text, "vigil_check_results_total")).toEqual([
      '{target="b",outcome="ok"} 1',
      '{target="b",outcome="failed"} 0',
      '{target="c",outcome="ok"} 0',
      '{target="c",outcome="failed"} 0',
    ]);
    expect(await samples(text, "vigil_restarts_total")).toEqual([]);
    expect((await samples(text, "vigil_notifications_total")).every((s) => s.includes('"mail"'))).toBe(true);
  });

  it("gives each agent its own registry, with the process metrics and no misnamed gauges", async () => {
    const a = defineMetrics(sources());
    const b = defineMetrics(sources());
    observeCheck(a, { target: "x", type: "tcp", ok: true, durationMs: 1 });
    expect(await samples(render(b), "vigil_check_results_total")).toEqual([]);
    const text = await render(a);
    expect(text).toContain("process_cpu_seconds_total");
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
    expect(a.registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
