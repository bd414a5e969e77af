/**
 * The ops report (`GET /ops-report`): one document that says whether everything is well, and if not,
 * what is wrong in plain words. Built from the targets, the open incidents, the silences and the kill
 * switch; a pure function of them, so every rule below is tested without an agent.
 *
 * What counts against `overall_ok` (503) and what is only said (200):
 * - `down`, `failed` (the supervisor gave up) and `flapping` (up and down so often that remediation
 *   holds off) fail the report, and so does an open incident that was escalated: each needs a person.
 *   A service that exited while automatic restarts were paused is `down`, not `stopped`: the kill
 *   switch held its restart, nobody chose the exit.
 * - `degraded` (failing, but fewer than `fail_after` times in a row), `stopped` (stopped by hand),
 *   `paused` and `silenced` are said as issues and do not fail it: nothing is down yet, or a person
 *   chose it.
 * - `up`, `starting` and `unknown` (no result yet) are not issues: a target that never comes up
 *   moves on to `down` or `failed` by itself.
 * - The kill switch and silences are said as issues and do not fail the report. A silence mutes
 *   notifications and remediation, not facts: a silenced target that is down still fails it.
 */
import type { IncidentView } from "../incidents/incidents.ts";
import type { TargetState } from "../incidents/target-state.ts";
import type { PauseState } from "../remediation/kill-switch.ts";
import type { SilenceRow } from "../store/incident-store.ts";
import type { TargetView } from "../targets/targets.ts";

export interface OpsReport {
  /** When the report was made (ISO 8601). */
  timestamp: string;
  overall_ok: boolean;
  /** The overall line: "all is well", or how many things need a person and how many are noted. */
  summary: string;
  /** The kill switch is on: no automatic action. */
  paused: boolean;
  targets: { name: string; kind: string; state: TargetState; since: string; incident_id: string | null }[];
  /** Open incidents only. */
  incidents: {
    id: string;
    target: string;
    failure_class: string;
    opened_at: string;
    escalated: boolean;
    escalation: string | null;
  }[];
  /** What is wrong (first) and what is worth knowing, one sentence each. */
  issues: string[];
}

export interface OpsReportInput {
  now: number;
  targets: readonly TargetView[];
  /** The open incidents. */
  incidents: readonly IncidentView[];
  pause: PauseState;
  /** The active silences. */
  silences: readonly SilenceRow[];
}

type Weight = "failing" | "noted" | "fine";

/** How each state counts; see the file's comment for why. */
export const stateWeight: Record<TargetState, Weight> = {
  down: "failing",
  failed: "failing",
  flapping: "failing",
  degraded: "noted",
  stopped: "noted",
  paused: "noted",
  silenced: "noted",
  up: "fine",
  starting: "fine",
  unknown: "fine",
};

/** An explanation quoted in an issue is cut here: the report is read by people, the detail is in the API. */
const maxDetail = 300;

/** `2024-05-01 14:02:05 UTC`: unambiguous on a server in any time zone. */
export function clockTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, " UTC");
}

const iso = (ms: number) => new Date(ms).toISOString();

function detail(t: TargetView): string {
  const e = t.last_result && !t.last_result.ok ? t.last_result.explanation : "";
  if (!e) return "";
  return `: ${e.length > maxDetail ? `${e.slice(0, maxDetail - 1)}…` : e}`;
}

type Sentence = (t: TargetView, since: string) => string;

/** Failure classes that mean no reading at all: the target is not known to be down, only unseen. */
const unreadable = new Set(["engine_unreachable"]);
const unseen = (t: TargetView) =>
  !!t.last_result && !t.last_result.ok && unreadable.has(t.last_result.failure_class ?? "");

/** One sentence about a target that is not fine, by state; other states say only the state. */
const sentences: Partial<Record<TargetState, Sentence>> = {
  down: (t, since) =>
    unseen(t)
      ? `${t.name} cannot be checked since ${since}${detail(t)}`
      : `${t.name} is down since ${since}${detail(t)}`,
  failed: (t, since) =>
    `${t.name} has failed since ${since}: the supervisor gave up restarting it after ${t.restarts} restarts; fix the cause, then \`vigil recover ${t.name}\``,
  flapping: (t, since) =>
    `${t.name} is flapping since ${since}: it went up and down too often, and remediation waits until it settles${detail(t)}`,
  degraded: (t, since) => `${t.name} is degraded since ${since} (failing, not yet down)${detail(t)}`,
  stopped: (t, since) => `${t.name} is stopped (by hand) since ${since}; \`vigil start ${t.name}\` starts it`,
};

function targetIssue(t: TargetView): string {
  const since = clockTime(t.since);
  return (sentences[t.state] ?? ((x, s) => `${x.name} is ${x.state} since ${s}`))(t, since);
}

/** @example const r = buildOpsReport({ now: Date.now(), targets, incidents, pause, silences }); r.overall_ok */
export function buildOpsReport(input: OpsReportInput): OpsReport {
  const failing: string[] = [];
  const noted: string[] = [];
  for (const t of input.targets) {
    const weight = stateWeight[t.state] ?? "noted";
    if (weight === "failing") failing.push(targetIssue(t));
    else if (weight === "noted") noted.push(targetIssue(t));
  }
  for (const i of input.incidents) {
    if (!i.escalated) continue;
    failing.push(
      `${i.target} escalated: ${i.escalation ?? "automatic action stopped"} (incident ${i.id}, open since ${clockTime(i.opened_at)})`,
    );
  }
  const p = input.pause;
  if (p.paused) {
    const who = p.by ? ` (by ${p.by}${p.reason ? `: ${p.reason}` : ""})` : "";
    noted.push(
      `automatic actions are paused${who}${p.since === null ? "" : ` since ${clockTime(p.since)}`}; \`vigil resume\` ends it`,
    );
  }
  for (const s of input.silences) {
    noted.push(
      `${s.target} is silenced until ${clockTime(s.ends_at)} by ${s.created_by}${s.reason ? ` (${s.reason})` : ""}`,
    );
  }
  return {
    timestamp: iso(input.now),
    overall_ok: failing.length === 0,
    summary: summaryLine(failing.length, noted.length),
    paused: p.paused,
    targets: input.targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      state: t.state,
      since: iso(t.since),
      incident_id: t.incident_id,
    })),
    incidents: input.incidents.map((i) => ({
      id: i.id,
      target: i.target,
      failure_class: i.failure_class,
      opened_at: iso(i.opened_at),
      escalated: i.escalated,
      escalation: i.escalation,
    })),
    issues: [...failing, ...noted],
  };
}

function summaryLine(failing: number, noted: number): string {
  const need = failing === 0 ? "" : `${failing} ${failing === 1 ? "issue needs" : "issues need"} a person`;
  const more = noted === 0 ? "" : `${noted} ${noted === 1 ? "issue" : "issues"} noted`;
  return [need, more].filter(Boolean).join(", ") || "all is well";
}

/** What `agent.public_ops_report` serves to a caller without a token: the status and the line, no names. */
export type PublicOpsReport = Pick<OpsReport, "timestamp" | "overall_ok" | "summary">;

export function publicOpsReport(r: OpsReport): PublicOpsReport {
  return { timestamp: r.timestamp, overall_ok: r.overall_ok, summary: r.summary };
}
