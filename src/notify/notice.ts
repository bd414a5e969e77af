/**
 * What is worth telling people, from the event stream: an incident opened, escalated, resolved (or
 * a storm behind one dependency), an automatic restart or a remediation step taken and how it went,
 * an action taken under `notify` risk, an approval requested. One
 * notice per fact; its key is the fact's place in the audit log, so the same fact is never queued
 * twice, and a resolution carries the key of the opening it follows.
 */
import type { StoredEvent } from "../core/events.ts";
import { unhealthyRestartReason } from "../supervisor/types.ts";

export interface Notice {
  key: string;
  kind: string;
  target: string;
  title: string;
  text: string;
  incident_id?: string;
  /** For a resolution: the incident whose opening it follows, wherever that went. */
  follows?: string;
  /** News that is never held back with anything (the supervisor gave up: the service stays down). */
  urgent?: true;
  approval_id?: string;
  at: number;
}

export const noticeTypes = [
  "incident.opened",
  "incident.escalated",
  "incident.resolved",
  "incident.storm",
  "service.restart_scheduled",
  "remediation.decided",
  "remediation.finished",
  "action.finished",
  "approval.requested",
  "store.unavailable",
  "claim.false",
] as const;

/** Scheduled jobs' incidents are about `job:<name>` (src/jobs). */
const jobPrefix = "job:";
const jobName = (subject: string) =>
  subject.startsWith(jobPrefix) ? `the job ${subject.slice(jobPrefix.length)}` : subject;

/** A payload field as text: strings as they are, anything else as JSON. */
const str = (v: unknown): string => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

const seconds = (ms: number) => (ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

/** Failure classes that mean the check never reached anything, with what a person should look at. */
const cannotRun: Record<string, { what: string; fix: string } | undefined> = {
  connection_refused: {
    what: "connection refused",
    fix: "Nothing listens on the configured address: is the port right, and is the service listening on it?",
  },
  dns_failure: {
    what: "the host name does not resolve",
    fix: "Check the host name in the check's URL or address.",
  },
  engine_unreachable: {
    what: "the container engine does not answer",
    fix: "Is Docker (or Podman's API service) running, and is agent.docker.host its socket?",
  },
};

export function noticeFrom(e: StoredEvent): Notice | undefined {
  const p = JSON.parse(e.payload) as Record<string, unknown>;
  const base = { key: `${e.type}:${e.seq}`, kind: e.type, target: e.subject, at: e.ts };
  const incident = typeof p.incident_id === "string" ? p.incident_id : undefined;
  switch (e.type) {
    case "incident.opened": {
      const cls = str(p.failure_class);
      const detail = typeof p.detail === "string" && p.detail ? p.detail : undefined;
      const unreachable = cannotRun[cls];
      if (cls === "job_failed") {
        // A scheduled job is not "down": it failed once, and stays failed until a run succeeds.
        return {
          ...base,
          key: `incident:${incident}:opened:${e.seq}`,
          incident_id: incident!,
          title: `${jobName(e.subject)} failed`,
          text: `${detail ?? `${jobName(e.subject)} failed`}. It stays an open incident until a run succeeds. Incident ${incident}.`,
        };
      }
      if (cls === "flapping") {
        // Told once for the whole flapping, not once per flip: what it did, and that nothing acts meanwhile.
        return {
          ...base,
          key: `incident:${incident}:opened:${e.seq}`,
          incident_id: incident!,
          title: `${e.subject} is flapping`,
          text: `${e.subject} ${p.reopened ? "is flapping again" : "keeps going up and down"}${detail ? ` (${detail})` : ""}. Incident ${incident}.`,
        };
      }
      return {
        ...base,
        key: `incident:${incident}:opened:${e.seq}`,
        incident_id: incident!,
        // A check that cannot run at all says so: a wrong port or host fails silently for days otherwise.
        title: unreachable
          ? `${e.subject} cannot be checked: ${unreachable.what}`
          : `${e.subject} is down (${cls})`,
        text: unreachable
          ? `The check of ${e.subject} cannot run at all${detail ? `: ${detail}` : ""}. ${unreachable.fix} Incident ${incident}.`
          : `${e.subject} ${p.reopened ? "went down again" : "went down"}: ${cls}${detail ? ` (${detail})` : ""}. Incident ${incident}.`,
      };
    }
    case "incident.escalated":
      return {
        ...base,
        incident_id: incident!,
        ...(p.gave_up === true ? { urgent: true as const } : {}),
        title: `${e.subject} needs a person`,
        text: `Automatic remediation stopped: ${str(p.reason)}. Incident ${incident}.`,
      };
    case "incident.storm":
      return {
        ...base,
        incident_id: incident!,
        title: `${e.subject} is down and taking others with it`,
        text: `Down behind ${e.subject}: ${(p.dependents as string[]).join(", ")}. Incident ${incident}.`,
      };
    case "incident.resolved": {
      const after = `${Math.round(Number(p.duration_ms) / 1000)} s`;
      const job = e.subject.startsWith(jobPrefix);
      const gone = typeof p.detail === "string" && p.detail !== "" ? p.detail : undefined;
      if (gone && !job)
        return {
          ...base,
          incident_id: incident!,
          follows: incident!,
          title: `${e.subject} closed`,
          text: `${gone}; its incident is closed after ${after}. Incident ${incident}.`,
        };
      return {
        ...base,
        incident_id: incident!,
        follows: incident!,
        title: job ? `${jobName(e.subject)} succeeded again` : `${e.subject} recovered`,
        text: job
          ? `${jobName(e.subject)} ran and succeeded, ${after} after it failed. Incident ${incident}.`
          : `${e.subject} is up again after ${after}. Incident ${incident}.`,
      };
    }
    case "service.restart_scheduled": {
      const reason = str(p.reason);
      // A restart the remediation engine asked for is told as its step, not a second time here.
      if (reason.startsWith(unhealthyRestartReason)) return undefined;
      const delay = Number(p.delay_ms);
      return {
        ...base,
        title: `${e.subject} is being restarted: ${reason}`,
        text: `${e.subject} ${reason}; its restart policy starts it again ${delay > 0 ? `in ${seconds(delay)}` : "now"}.`,
      };
    }
    case "remediation.decided":
      // A step only decided (paused, observe mode, silenced) runs nothing: the incident's context says so.
      if (p.executed !== true) return undefined;
      return {
        ...base,
        incident_id: incident!,
        title: `Trying ${str(p.action)} on ${e.subject} (attempt ${str(p.attempt)})`,
        text: `Vigil runs ${str(p.action)} on ${e.subject}: ${str(p.explanation)}. Incident ${incident}.`,
      };
    case "remediation.finished":
      return {
        ...base,
        incident_id: incident!,
        title: `${str(p.action)} on ${e.subject} ${str(p.outcome)}`,
        text: `${str(p.action)} on ${e.subject} ${str(p.outcome)}: ${str(p.detail)}. Incident ${incident}.`,
      };
    case "action.finished":
      if (p.risk !== "notify") return undefined;
      return {
        ...base,
        title: `${str(p.action)} ran on ${e.subject}: ${str(p.status)}`,
        text: `${e.actor} ran ${str(p.action)} (run ${str(p.run_id)}): ${str(p.status)} in ${str(p.duration_ms)} ms.${p.output ? `\n${str(p.output).slice(0, 500)}` : ""}`,
      };
    case "approval.requested":
      return {
        ...base,
        approval_id: str(p.approval_id),
        title: `Approval needed: ${str(p.action)}${p.target ? ` on ${str(p.target)}` : ""}`,
        text: `${e.actor} asks to run ${str(p.action)} ${JSON.stringify(p.params)} because: ${str(p.reason) || "(no reason given)"}. Risk: ${str(p.assessment)}. Approve with: vigil approve ${str(p.approval_id)}`,
      };
    case "store.unavailable":
      return {
        ...base,
        title: `Vigil could not record for ${Math.round((Number(p.until) - Number(p.since)) / 1000)} s`,
        text: `From ${new Date(Number(p.since)).toISOString()} to ${new Date(Number(p.until)).toISOString()} the store could not write (${str(p.cause)}): ${str(p.failed_calls)} calls failed, and what happened then is missing from the audit log. It records again now.`,
      };
    case "claim.false": {
      const claim = str(p.claim);
      const short = claim.length > 80 ? `${claim.slice(0, 79)}…` : claim;
      return {
        ...base,
        title: `False claim by ${str(p.by)}: ${short}`,
        text: `${str(p.by)} (through ${str(p.source)}) claimed: "${claim.slice(0, 500)}". Vigil checked and it does not hold: ${str(p.evidence).slice(0, 800)}. Look at what ${str(p.by)} reported as done; the same claim is not told again for an hour.`,
      };
    }
    default:
      return undefined;
  }
}
