/**
 * Wires incidents, the remediation engine, the kill switch and silences to the targets, the
 * supervisor and the gateway. What the API sees of them is `GuardApi`. The rules they follow live
 * in remediation/: the runbook (runbook.ts), how a step is acted on (act.ts) and followed
 * (follow.ts), what holds it (hold.ts), what waits (in-hand.ts), and an incident's failure class
 * (failure-class.ts).
 */
import type { GuardApi } from "../api/context.ts";
import type { Approvals } from "../approvals/approvals.ts";
import type { Logger } from "../core/log.ts";
import type { Gateway } from "../gateway/gateway.ts";
import { Incidents } from "../incidents/incidents.ts";
import { actOn, riskOf, type ActDeps } from "../remediation/act.ts";
import { Remediation } from "../remediation/engine.ts";
import { failureClassOf, failureContext, type FailureDeps } from "../remediation/failure-class.ts";
import { follow, type FollowDeps } from "../remediation/follow.ts";
import { holdReason, mutedReason, type HoldDeps } from "../remediation/hold.ts";
import { inHand, type InHandDeps } from "../remediation/in-hand.ts";
import type { KillSwitch } from "../remediation/kill-switch.ts";
import { runbookOf } from "../remediation/runbook.ts";
import { isAlertTarget } from "../alertmanager/naming.ts";
import { alertRunbook } from "../alertmanager/routes.ts";
import { Silences } from "../remediation/silences.ts";
import { remediationStats } from "../remediation/stats.ts";
import { IncidentStore, type AttemptRow, type IncidentRow } from "../store/incident-store.ts";
import { RestartNotes } from "../incidents/restarts.ts";
import { nextStep, type NextStep } from "../remediation/next-step.ts";
import type { Supervision } from "./supervision.ts";
import type { Wiring } from "./wiring.ts";
import { groupOf } from "../targets/targets.ts";
import { jobSubject } from "../jobs/jobs.ts";

export interface RemediationWiring extends Wiring {
  supervision: Supervision;
  gateway: Gateway;
  approvals: Approvals;
  killSwitch: KillSwitch;
}

export interface RemediationWired {
  guard: GuardApi;
  /** Looks at every open incident now (a hold lifted). */
  poke: () => void;
  /** Why notifications about a target are held, for the notify pipeline. */
  muted: (target: string) => string | undefined;
  /** Incidents of what is not a target (a scheduled job) open and resolve here too. */
  incidents: Incidents;
  /** What the engine will do next about an incident, for the notifications that tell it. */
  next: (incident: IncidentRow, attempts: AttemptRow[]) => NextStep;
}

/** What the engine is built from, once incidents and silences are up. */
interface Parts {
  store: IncidentStore;
  incidents: Incidents;
  silences: Silences;
  log: Logger;
}

export async function wireRemediation(w: RemediationWiring): Promise<RemediationWired> {
  const store = new IncidentStore(w.store.db, w.config().agent.name);
  const log = w.log.child({ component: "remediation" });
  const incidents = await startIncidents(w, store, log);
  const restarts = new RestartNotes({ bus: w.bus, clock: w.clock, log, store, incidents });
  w.lifecycle.defer("restart notes", () => restarts.stop());
  const silences = await loadSilences(w, store);
  const parts = { store, incidents, silences, log };
  const engine = await startEngine(w, parts);
  const rules = ruleDeps(w, silences);
  const next = (incident: IncidentRow, attempts: AttemptRow[]) =>
    nextStep(incident, attempts, {
      now: () => w.clock.now(),
      guardrails: () => w.config().remediation,
      ...stepRules(w),
      holdReason: (t) => holdReason(t, rules.holds),
      busy: (i) => inHand(i, rules.inHand),
      restartDue: (t) => restarts.restartDue(t),
      rearmedAt: (id) => incidents.rearmedAt(id),
    });
  const muted = (t: string) =>
    mutedReason(t, { paused: () => w.killSwitch.paused, silenced: (s) => silences.reason(s) });
  // A reload may end or start a maintenance window: what it held is looked at again at once.
  const offReload = w.bus.on("config.reloaded", async () => {
    await silences.load(w.config().maintenance);
    engine.poke();
  });
  w.lifecycle.defer("maintenance reload", offReload);
  return { guard: guardApi(w, parts, engine), poke: () => engine.poke(), muted, incidents, next };
}

/** Incidents open and resolve as the targets' states change, named by what the supervisor knows. */
async function startIncidents(w: RemediationWiring, store: IncidentStore, log: Logger): Promise<Incidents> {
  const { supervision } = w;
  const failures: FailureDeps = {
    portConflict: (t) => supervision.services.portConflict(t),
    servicePhase: (t) => supervision.services.servicePhase(t),
    lastResult: (t) => supervision.targets.view(t)?.last_result,
    flapping: (t) => supervision.targets.flapChanges(t),
  };
  const incidents = new Incidents({
    store,
    bus: w.bus,
    clock: w.clock,
    log,
    failureClass: (t) => failureClassOf(t, failures),
    context: (t, cls) => failureContext(t, cls, failures),
    dependsOn: (t) => w.config().services[t]?.depends_on ?? [],
    show: (t, id) => supervision.targets.setIncident(t, id),
    recentEvents: (limit) => w.store.readEvents({ limit, newest: true }),
  });
  await incidents.load(new Set(supervision.sharedChecks()));
  // Alerts and a compose project's containers (`a/b`) come and go at run time, and jobs close their
  // own: what closes those is theirs to say.
  await incidents.closeGone(
    (t) => supervision.configures(t) || groupOf(t) !== undefined || t.startsWith(jobSubject("")),
  );
  const unsubscribe = supervision.targets.onChange(
    (name, change) => void incidents.stateChanged(name, change),
  );
  // A target that is gone (its container left the group, a reload removed it) has nothing to recover.
  const unsubscribeRemoved = supervision.targets.onRemove((name, why) => void incidents.clear(name, why));
  w.lifecycle.defer("incidents", async () => {
    unsubscribe();
    unsubscribeRemoved();
    await incidents.settled();
  });
  return incidents;
}

/** One-off silences from the store, recurring ones from `maintenance:`. */
async function loadSilences(w: RemediationWiring, store: IncidentStore): Promise<Silences> {
  const silences = new Silences({
    store,
    bus: w.bus,
    clock: w.clock,
    isTarget: (t) => w.supervision.get(t) !== undefined,
  });
  await silences.load(w.config().maintenance);
  return silences;
}

/** The engine: acts through the supervisor and the gateway, and stops with the agent. */
async function startEngine(
  w: RemediationWiring,
  { store, incidents, silences, log }: Parts,
): Promise<Remediation> {
  const { config } = w;
  const rules = ruleDeps(w, silences);
  const engine = new Remediation({
    store,
    incidents,
    bus: w.bus,
    clock: w.clock,
    log,
    guardrails: () => config().remediation,
    ...stepRules(w),
    holdReason: (t) => holdReason(t, rules.holds),
    busy: (incident) => inHand(incident, rules.inHand),
    act: (step, incident, reason) => actOn(step, incident.target, reason, rules.acting),
    follow: (attempt) => follow(attempt.approval_id, rules.following),
  });
  await engine.recover();
  engine.start();
  w.lifecycle.defer("remediation", () => engine.stop());
  return engine;
}

/** A target's runbook and each step's risk, as the config and the gateway say now. */
function stepRules(w: RemediationWiring) {
  const { gateway, config } = w;
  return {
    runbook: (t: string) =>
      isAlertTarget(t) ? alertRunbook(config(), w.supervision.targets.labels(t)) : runbookOf(config(), t),
    riskOf: (a: string) => riskOf(a, (name) => gateway.declaration(name)),
  };
}

/** What the rules in remediation/ read of the agent, as it is at each call (a reload applies). */
function ruleDeps(w: RemediationWiring, silences: Silences) {
  const { supervision, gateway, config } = w;
  const state = (t: string) => supervision.targets.state(t);
  const holds: HoldDeps = {
    paused: () => w.killSwitch.paused,
    agent: () => config().agent,
    state,
    silenced: (t) => silences.reason(t),
  };
  const inHand: InHandDeps = {
    servicePhase: (t) => supervision.services.servicePhase(t),
    state,
    dependsOn: (t) => config().services[t]?.depends_on ?? [],
  };
  const acting: ActDeps = {
    declared: () => config().actions,
    isService: (t) => supervision.isService(t),
    restartUnhealthy: (t, reason) => supervision.services.restartUnhealthy(t, reason),
    request: (action, req, by) => gateway.request(action, req, by),
  };
  const following: FollowDeps = {
    approval: (id) => w.approvals.get(id),
    run: (id) => gateway.getRun(id),
    now: () => w.clock.now(),
  };
  return { holds, inHand, acting, following };
}

function guardApi(
  w: RemediationWiring,
  { store, incidents, silences }: Parts,
  engine: Remediation,
): GuardApi {
  const { killSwitch } = w;
  return {
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
}
