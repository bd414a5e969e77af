/**
 * What Vigil will do next about an incident, as a person reading an alert needs it: the step and
 * when, what it waits for, or that nothing more will run. It reads the same rules the engine acts on
 * (guardrails, holds, the runbook, the supervisor's backoff) and decides nothing itself; under
 * `order: adaptive` the engine draws between equally safe steps, so those are named together.
 *
 * Owns: describing the next step. Must not import: api, cli, app.
 */
import { flappingClass } from "../incidents/incidents.ts";
import type { AttemptRow, IncidentRow } from "../store/incident-store.ts";
import { applicable, tiers, type Step } from "./choose.ts";
import type { Guardrails } from "./engine.ts";

export interface NextStep {
  what: string;
  at?: number | undefined;
  /** Nothing more will run on its own. */
  final: boolean;
}

export interface NextStepDeps {
  now: () => number;
  guardrails: () => Guardrails;
  runbook: (target: string) => readonly Step[];
  riskOf: (action: string) => string;
  holdReason: (target: string) => string | undefined;
  /** Something else has the target in hand (the supervisor bringing a service back). */
  busy: (incident: IncidentRow) => boolean;
  /** When the supervisor restarts the target, while a restart waits out its backoff. */
  restartDue: (target: string) => number | undefined;
  rearmedAt: (incidentId: string) => number | undefined;
}

export function nextStep(incident: IncidentRow, attempts: readonly AttemptRow[], d: NextStepDeps): NextStep {
  const t = incident.target;
  const now = d.now();
  if (incident.status === "resolved") return { what: "nothing: it recovered", final: true };
  if (incident.escalated)
    return {
      what: `escalated: nothing more will run (${incident.escalation ?? "a person must look"})`,
      final: true,
    };
  const due = d.restartDue(t);
  if (due !== undefined && due >= now - 1_000)
    return {
      what: `the supervisor restarts ${t} (its restart policy)`,
      at: Math.max(due, now),
      final: false,
    };
  if (incident.linked_to)
    return { what: `nothing until its dependency recovers (incident ${incident.linked_to})`, final: false };
  if (incident.failure_class === flappingClass)
    return { what: "nothing while it flaps: remediation waits until it settles", final: false };
  const g = d.guardrails();
  const last = attempts.at(-1);
  if (last?.status === "running") return { what: `${last.action} is running now`, final: false };
  if (last?.status === "waiting" && last.acted_at === null)
    return {
      what: `${last.action} waits for a person to approve it${last.approval_id ? ` (vigil approve ${last.approval_id})` : ""}`,
      final: false,
    };
  if (last?.status === "waiting")
    return {
      what: `judge ${last.action}: if ${t} is not up by then, the next step`,
      at: (last.acted_at ?? now) + g.verify_within,
      final: false,
    };
  const hold = d.holdReason(t);
  if (hold !== undefined) return { what: `nothing while ${hold}`, final: false };
  if (d.busy(incident)) return { what: `wait: the supervisor is bringing ${t} back`, final: false };
  const since = d.rearmedAt(incident.id);
  const counted = since === undefined ? attempts : attempts.filter((a) => a.started_at >= since);
  if (counted.length >= g.max_attempts)
    return { what: `escalate: max_attempts ${g.max_attempts} tried`, at: now, final: false };
  const steps = applicable(d.runbook(t), incident.failure_class);
  if (steps.length === 0)
    return { what: `escalate: no runbook step applies to ${incident.failure_class}`, at: now, final: false };
  const at = last?.finished_at ? Math.max(now, last.finished_at + g.cooldown) : now;
  const attempt = `attempt ${counted.length + 1} of ${g.max_attempts}`;
  return { what: `${candidates(steps, counted, g.order, d.riskOf)} (${attempt})`, at, final: false };
}

/** The step as written next, or under `adaptive` the safest steps not yet tried this round. */
function candidates(
  steps: readonly Step[],
  tried: readonly AttemptRow[],
  order: Guardrails["order"],
  riskOf: (a: string) => string,
): string {
  const position = tried.length % steps.length;
  if (order === "as-written") return steps[position]!.action;
  const round = new Set(tried.slice(tried.length - position).map((a) => a.action));
  const left = steps.filter((s) => !round.has(s.action));
  const pool = left.length > 0 ? left : steps;
  const safest = Math.min(...pool.map((s) => tiers[riskOf(s.action)] ?? 2));
  const names = [
    ...new Set(pool.filter((s) => (tiers[riskOf(s.action)] ?? 2) === safest).map((s) => s.action)),
  ];
  return names.length === 1 ? names[0]! : `one of ${names.join(", ")}`;
}
