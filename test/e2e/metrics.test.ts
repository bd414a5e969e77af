/**
 * `GET /metrics` of the real agent after real events: a crashing service, a check that a runbook
 * fixes, one that stays down, notifications to a receiver and to a port nobody listens on, an
 * operator's restart, an action run and an approval left pending. The output is then linted by
 * `promtool check metrics`, and the Grafana dashboard is checked against it so it cannot go stale.
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { freePort } from "../helpers/net.ts";
import { installed, parseExposition, promtoolCheck, valueOf, type Series } from "../helpers/prometheus.ts";

const root = path.resolve(import.meta.dirname, "../..");
const fixture = path.join(root, "test/fixtures/service.js");

let agent: RunningAgent | undefined;
let dir = "";
let receiver: http.Server | undefined;
let text = "";
let series: Series[] = [];

async function scrape(): Promise<Response> {
  return fetch(`${agent!.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
}

beforeAll(async () => {
  // Made here and removed in afterAll: the temp helper empties its folders after every test.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-metrics-"));
  const flag = path.join(dir, "ok");
  receiver = http.createServer((req, res) => req.resume().on("end", () => res.end("ok")));
  const rxPort = await new Promise<number>((r) =>
    receiver!.listen(0, "127.0.0.1", () => r((receiver!.address() as net.AddressInfo).port)),
  );
  const deadPort = await freePort();
  const webPort = await freePort();
  agent = await startAgent(
    `agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 100ms, verify_within: 3s }
notify:
  channels:
    hook: { webhook: { url: "http://127.0.0.1:${rxPort}/vigil" } }
    dead: { webhook: { url: "http://127.0.0.1:${deadPort}/vigil" } }
  routes: [{ to: [hook, dead] }]
  group_wait: 0ms
actions:
  fix: { run: ["touch", "${flag}"], risk: auto }
  echo: { run: [printf, ok], risk: auto }
  reindex: { run: [printf, done], risk: approve }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${webPort}" }
    port: ${webPort}
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${webPort}/health" }, every: 250ms, timeout: 500ms, start_period: 0ms }
  crashy:
    command: ["${process.execPath}", "${fixture}"]
    env: { CRASH_AFTER: "300" }
    restart: { backoff: { initial: 100ms, max: 500ms }, max_restarts: 2, window: 1m, retry_after_failed: false }
checks:
  flag: { command: { run: ["test", "-f", "${flag}"] }, every: 200ms, fail_after: 1, remediate: [fix] }
  never: { command: { run: ["false"] }, every: 300ms, fail_after: 1 }
`,
    { dir },
  );
  const has = (name: string, labels: Record<string, string>, atLeast = 1) =>
    (valueOf(series, name, labels) ?? -1) >= atLeast;
  const wanted = () => ({
    webUp: has("vigil_target_up", { target: "web", kind: "service" }),
    crashRestarts: has("vigil_restarts_total", { target: "crashy", trigger: "automatic" }),
    fixed: has("vigil_remediation_actions_total", { action: "fix", outcome: "succeeded" }),
    recovered: has("vigil_time_to_recover_seconds_count", { action: "fix" }),
    sent: has("vigil_notifications_total", { channel: "hook", outcome: "sent" }),
    failed: has("vigil_notifications_total", { channel: "dead", outcome: "failed" }),
    waiting: has("vigil_outbox_depth", { channel: "dead" }),
    gaveUp: has("vigil_audit_events_total", { type: "service.gave_up" }),
  });
  // expect.poll is for tests only; this is the same loop for a hook.
  for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 250))) {
    series = parseExposition(await (await scrape()).text());
    const missing = Object.entries(wanted()).filter(([, ok]) => !ok);
    if (missing.length === 0) break;
    if (Date.now() > deadline) throw new Error(`never seen: ${missing.map(([k]) => k).join(", ")}`);
  }
  const post = (p: string, body: unknown) =>
    api(agent!, p, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  expect((await post("/api/targets/web/restart", {})).status).toBe(200);
  expect((await post("/api/actions/echo/run", { reason: "metrics test" })).status).toBe(200);
  expect((await post("/api/actions/reindex/run", { reason: "metrics test" })).status).toBe(202);
  // /metrics is rendered at most once a second: poll until a render after the three requests.
  const after = () => ({
    restarted: has("vigil_restarts_total", { target: "web", trigger: "operator" }),
    ran: has("vigil_action_runs_total", { action: "echo", status: "succeeded" }),
    asked: has("vigil_approvals_pending", {}),
  });
  for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 250))) {
    const res = await scrape();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    text = await res.text();
    series = parseExposition(text);
    if (Object.values(after()).every(Boolean) || Date.now() > deadline) break;
  }
  console.info(`/metrics: ${Buffer.byteLength(text)} bytes, ${series.length} samples`);
}, 60_000);

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("GET /metrics", () => {
  it("shows targets, checks, restarts, healing, approvals, notifications and the agent itself", () => {
    const v = (name: string, labels: Record<string, string> = {}) => valueOf(series, name, labels);
    expect(v("vigil_target_up", { target: "never", kind: "check" })).toBe(0);
    expect(v("vigil_target_up", { target: "crashy", kind: "service" })).toBe(0);
    expect(v("vigil_targets", { state: "failed" })).toBe(1);
    expect(v("vigil_check_results_total", { target: "never", outcome: "failed" })).toBeGreaterThan(0);
    expect(v("vigil_check_results_total", { target: "never", outcome: "ok" })).toBe(0);
    expect(v("vigil_check_results_total", { target: "web", outcome: "ok" })).toBeGreaterThan(0);
    expect(v("vigil_check_duration_seconds_count", { type: "command" })).toBeGreaterThan(0);
    expect(v("vigil_check_duration_seconds_count", { type: "http" })).toBeGreaterThan(0);
    expect(v("vigil_check_last_duration_seconds", { target: "web" })).toBeGreaterThanOrEqual(0);
    expect(
      v("vigil_check_failures_total", { type: "command", failure_class: "condition_failed" }),
    ).toBeGreaterThan(0);
    // max_restarts: 2, then it gives up.
    expect(v("vigil_restarts_total", { target: "crashy", trigger: "automatic" })).toBe(2);
    expect(v("vigil_restarts_total", { target: "web", trigger: "operator" })).toBe(1);
    expect(v("vigil_time_to_recover_seconds_sum", { action: "fix" })).toBeLessThan(10);
    expect(v("vigil_action_runs_total", { action: "echo", status: "succeeded" })).toBe(1);
    expect(v("vigil_approvals_pending")).toBe(1);
    expect(v("vigil_outbox_depth", { channel: "hook" })).toBeGreaterThanOrEqual(0);
    expect(v("vigil_notifications_total", { channel: "hook", outcome: "gave_up" })).toBe(0);
    expect(v("vigil_audit_events_total", { type: "agent.started" })).toBe(1);
    expect(v("vigil_audit_events_total", { type: "service.gave_up" })).toBe(1);
    expect(v("vigil_paused")).toBe(0);
    expect(v("vigil_scheduler_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(v("vigil_info", { mode: "auto" })).toBe(1);
    expect(v("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(v("process_cpu_seconds_total")).toBeGreaterThan(0);
  });

  it("uses only bounded labels: names from the config and fixed lists, never ids or messages", () => {
    const names: Record<string, readonly string[]> = {
      target: ["web", "crashy", "flag", "never"],
      channel: ["hook", "dead"],
      action: ["fix", "echo", "reindex", "restart"],
      outcome: ["ok", "failed", "succeeded", "sent", "gave_up"],
      trigger: ["automatic", "operator"],
      kind: ["service", "check"],
      status: ["succeeded", "failed", "other"],
    };
    for (const s of series.filter((x) => x.name.startsWith("vigil_"))) {
      for (const [label, value] of Object.entries(s.labels)) {
        if (names[label]) expect(names[label], `${s.name}{${label}="${value}"}`).toContain(value);
        expect(value, `${s.name}{${label}}`).toMatch(/^[\w.+-]{1,64}$/);
      }
    }
  });

  it("passes promtool check metrics with no lint problems", async (ctx) => {
    if (!installed("promtool")) {
      ctx.skip("promtool is not installed (apt-get install prometheus; .ci/run installs it)");
    }
    const r = await promtoolCheck(text);
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  });

  it("the Grafana dashboard only queries metrics the agent exposes", () => {
    const dashboard = JSON.parse(
      fs.readFileSync(path.join(root, "deploy/grafana/vigil-dashboard.json"), "utf8"),
    ) as {
      uid: string;
      panels: { id: number; type: string; targets?: { expr: string }[] }[];
      templating: { list: { definition?: string }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((t) => (t.definition ? [t.definition] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const exposed = new Set(series.map((s) => s.name));
    const used = new Set(
      exprs.flatMap((e) => [...e.matchAll(/\b(?:vigil|process|nodejs)_\w+/g)].map((m) => m[0])),
    );
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
    // Every vigil_ metric has a panel.
    const families = [...exposed]
      .filter((n) => n.startsWith("vigil_"))
      .map((n) => n.replace(/_(bucket|sum|count)$/, ""));
    const shown = [...used].map((n) => n.replace(/_(bucket|sum|count)$/, ""));
    expect(families.filter((f) => !shown.includes(f))).toEqual([]);
  });

  it("stops cleanly: the process exits by itself, so metrics leave no timer running", async () => {
    const stopped = agent!.stop("SIGTERM");
    const late = new Promise<"still running">((r) => setTimeout(() => r("still running"), 10_000).unref());
    expect(await Promise.race([stopped, late])).toEqual({ code: 0, signal: null });
  });
});
