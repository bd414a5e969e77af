/**
 * Wires incidents, the remediation engine, the kill switch and silences to the targets, the
 * supervisor and the gateway. What the API sees of them is `GuardApi`.
 */
import type { GuardApi } from "../api/context.ts";
import type { Approvals } from "../approvals/approvals.ts";
import type { Clock } from "../core/clock.ts";
import type { EventBus } from "../core/events.ts";
import type { Lifecycle } from "../core/lifecycle.ts";
import type { Logger } from "../core/log.ts";
import type { RemediateStep, VigilConfig } from "../config/schema.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { Incidents } from "../incidents/incidents.ts";
import { failureClasses } from "../probes/probe.ts";
import type { Step } from "../remediation/choose.ts";
import { Remediation, type Acted, type Followed } from "../remediation/engine.ts";
import type { KillSwitch } from "../remediation/kill-switch.ts";
import { Silences } from "../remediation/silences.ts";
import { remediationStats } from "../remediation/stats.ts";
import { IncidentStore } from "../store/incident-store.ts";
import type { Store } from "../store/store.ts";
import type { Supervision } from "./supervision.ts";

export interface RemediationWiring {
  store: Store;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  lifecycle: Lifecycle;
  supervision: Supervision;
  gateway: Gateway;
  approvals: Approvals;
  config: () => VigilConfig;
  killSwitch: KillSwitch;
}

const vigil = { name: "vigil", role: "operator" } as const;

const toStep = (s: RemediateStep): Step =>
  typeof s === "string" ? { action: s, params: {} } : { action: s.action, params: s.params, when: s.when };

export async function wireRemediation(
  w: RemediationWiring,
): Promise<{ guard: GuardApi; poke: () => void; muted: (target: string) => string | undefined }> {
  const { supervision, gateway, approvals, config, killSwitch } = w;
  const store = new IncidentStore(w.store.db);
  const log = w.log.child({ component: "remediation" });
  const incidents = new Incidents({
    store,
    bus: w.bus,
    clock: w.clock,
    log,
    failureClass: (t) =>
      supervision.portConflict(t)
        ? "port_in_use"
        : supervision.servicePhase(t) === "backoff"
          ? "process_exited"
          : (supervision.targets.view(t)?.last_result?.failure_class ?? "unknown"),
    context: (t, cls) => {
      if (cls === "port_in_use") {
        const c = supervision.portConflict(t);
        return c && `port ${c.port} is held by ${c.holder}`;
      }
      return supervision.targets.view(t)?.last_result?.explanation;
    },
    dependsOn: (t) => config().services[t]?.depends_on ?? [],
    show: (t, id) => supervision.targets.setIncident(t, id),
  });
  await incidents.load();
  const unsubscribe = supervision.targets.onChange(
    (name, change) => void incidents.stateChanged(name, change),
  );
  w.lifecycle.defer("incidents", async () => {
    unsubscribe();
    await incidents.settled();
  });

  const silences = new Silences({
    store,
    bus: w.bus,
    clock: w.clock,
    isTarget: (t) => supervision.get(t) !== undefined,
  });
  await silences.load(config().maintenance);

  const engine = new Remediation({
    store,
    incidents,
    bus: w.bus,
    clock: w.clock,
    log,
    guardrails: () => config().remediation,
    runbook: (t) => runbook(t),
    riskOf: (a) => {
      try {
        return gateway.declaration(a).risk;
      } catch {
        return "approve"; // unknown to the gateway: ordered last, and the gateway refuses it anyway
      }
    },
    holdReason: (t) => {
      const c = config();
      if (killSwitch.paused) return "paused (the kill switch)";
      if (c.agent.mode === "observe") return "observe mode";
      if (!c.agent.features.remediation) return "automatic remediation is off (agent.features.remediation)";
      if (supervision.targets.state(t) === "flapping") return "flapping";
      return silences.reason(t);
    },
    // Wait, recording nothing: the supervisor is already bringing the service back (a crash, a
    // start), or a dependency is not up, which is acted on first.
    busy: ({ target: t, failure_class }) => {
      // A start that keeps failing on a taken port waits for free-port, not for the supervisor.
      if (failure_class === "port_in_use") return false;
      const phase = supervision.servicePhase(t);
      if (phase !== undefined && phase !== "running") return true;
      // A process started since (its restart policy's answer to a crash) that no health check has
      // judged yet: that restart is still in hand, and another would only repeat it. A process that
      // never gets healthy turns down after fail_after checks, and is acted on then.
      if (phase === "running" && supervision.targets.state(t) === "starting") return true;
      return (config().services[t]?.depends_on ?? []).some((d) => supervision.targets.state(d) !== "up");
    },
    act: (step, incident, reason) => act(step, incident.target, reason),
    follow: (attempt) => follow(attempt.approval_id),
  });

  /**
   * A target's steps. A service's runbook also answers a taken port: a restart cannot help there, so
   * plain `restart` steps skip port_in_use, and `free-port` (approve-tier) is added unless named.
   */
  function runbook(t: string): Step[] {
    const service = config().services[t];
    const steps = (service?.remediate ?? config().checks[t]?.remediate ?? []).map(toStep);
    if (!service) return steps;
    const notPort = failureClasses.filter((c) => c !== "port_in_use");
    const out = steps.map((s) => (s.action === "restart" && !s.when ? { ...s, when: notPort } : s));
    if (service.port !== undefined && !out.some((s) => s.action === "free-port"))
      out.push({ action: "free-port", params: {}, when: ["port_in_use"] });
    return out;
  }

  async function act(step: Step, target: string, reason: string): Promise<Acted> {
    if (
      step.action === "restart" &&
      !Object.hasOwn(config().actions, "restart") &&
      supervision.isService(target)
    ) {
      const r = await supervision.restartUnhealthy(target, reason);
      if (r === "exited") {
        // Its exit is its restart policy's to handle; verify_within judges whether it recovers.
        return {
          kind: "ran",
          ok: true,
          detail: "it was no longer running; its restart policy handles the exit",
        };
      }
      return r === "restarted"
        ? { kind: "ran", ok: true, detail: "restarted" }
        : {
            kind: "ran",
            ok: false,
            detail:
              r === "gave-up" ? "the restart budget is spent: the service is failed" : "not running here",
          };
    }
    const params = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, String(v)]));
    const out = await gateway.request(step.action, { params, reason, target }, vigil);
    if (out.kind === "queued") {
      return { kind: "queued", approvalId: out.approval.id, detail: `waits for approval ${out.approval.id}` };
    }
    const r = out.run.result;
    return {
      kind: "ran",
      ok: out.run.status === "succeeded",
      runId: out.run.id,
      detail: `run ${out.run.id} ${out.run.status}${r?.error ? `: ${r.error}` : ""}`,
    };
  }

  async function follow(approvalId: string | null): Promise<Followed> {
    if (!approvalId) return { kind: "refused", detail: "nothing to follow" };
    const a = await approvals.get(approvalId);
    if (!a) return { kind: "refused", detail: `approval ${approvalId} is gone` };
    if (a.status === "pending") return { kind: "pending" };
    if (a.status !== "approved") {
      const who = a.decisions.find((d) => d.decision === "reject")?.by;
      return { kind: "refused", detail: `approval ${a.status}${who ? ` by ${who}` : ""}` };
    }
    if (!a.run_id) return { kind: "pending" };
    const run = await gateway.getRun(a.run_id);
    if (!run || run.status === "running") return { kind: "pending" };
    return {
      kind: "ran",
      ok: run.status === "succeeded",
      runId: run.id,
      detail: `run ${run.id} ${run.status}`,
      at: run.finished_at ?? w.clock.now(),
    };
  }

  await engine.recover();
  engine.start();
  w.lifecycle.defer("remediation", () => engine.stop());

  const guard: GuardApi = {
    incidents: (status, limit) => incidents.list(status, limit),
    incident: (id) => incidents.get(id),
    stats: async (target) => remediationStats(await store.finishedAttempts(10_000, target)),
    pause: (by, reason) => killSwitch.pause(by.name, reason),
    resume: (by, reason) => killSwitch.resume(by.name, reason),
    silences: async () => silences.list(),
    silence: (target, ms, reason, by) => silences.create(target, ms, reason, by.name),
    unsilence: async (id, by) => {
      await silences.delete(id, by.name);
      engine.poke();
    },
    pauseState: () => killSwitch.state,
  };
  return {
    guard,
    poke: () => engine.poke(),
    muted: (t) => (killSwitch.paused ? "paused (the kill switch)" : silences.reason(t)),
  };
}
