/**
 * The digest as a message: a title, sections of lines (which each provider lays out in its own
 * format), and the same as plain text. Times are the digest's time zone's wall clock.
 */
import { wallClock } from "./day.ts";
import type { Digest, DigestIncident } from "./collect.ts";

export interface Section {
  heading: string;
  lines: string[];
}

export interface DigestMessage {
  title: string;
  text: string;
  sections: Section[];
}

/** Lines listed one by one in a section; the rest are counted in a last line. */
const shownMax = 15;

export function renderDigest(d: Digest): DigestMessage {
  const sections = [incidents(d), actions(d), approvals(d), uptime(d), audit(d), backups(d)];
  const problems = [
    d.incidents.opened > 0 ? `${d.incidents.opened} incident${plural(d.incidents.opened)}` : undefined,
    d.actions.failed > 0 ? `${d.actions.failed} failed run${plural(d.actions.failed)}` : undefined,
    d.audit.ok === false ? "audit chain broken" : undefined,
    d.backups.list.some((b) => b.ok !== true) ? "backups not verified" : undefined,
  ].filter((p) => p !== undefined);
  const summary = problems.length > 0 ? problems.join(", ") : "all quiet";
  const title = `Vigil daily digest for ${d.date} (${d.timezone}): ${summary}`;
  const text = sections.map((s) => [s.heading, ...s.lines.map((l) => `  ${l}`)].join("\n")).join("\n\n");
  return { title, text, sections };
}

const plural = (n: number) => (n === 1 ? "" : "s");

/** A span as a person reads it: 45 s, 12 min, 3 h 5 min. */
export function took(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** `03:12` on the digest's day, the date as well on any other. */
function clock(ms: number, d: Digest): string {
  const w = wallClock(ms, d.timezone);
  const hhmm = `${String(Math.floor(w.minutes / 60)).padStart(2, "0")}:${String(w.minutes % 60).padStart(2, "0")}`;
  return w.date === d.date ? hhmm : `${w.date} ${hhmm}`;
}

function capped(lines: string[], total: number): string[] {
  const shown = lines.slice(0, shownMax);
  return total > shown.length ? [...shown, `… and ${total - shown.length} more`] : shown;
}

function incidentLine(i: DigestIncident, d: Digest): string {
  const what = `${i.target} (${i.failure_class}) opened ${clock(i.opened_at, d)}`;
  if (i.recovery_ms !== null)
    return `${what}, resolved ${clock(i.resolved_at!, d)}: recovered in ${took(i.recovery_ms)}`;
  return `${what}, still open at the end of the day${i.escalated ? ", escalated" : ""}`;
}

function incidents(d: Digest): Section {
  const { opened, resolved, median_recovery_ms: med } = d.incidents;
  const head = `${opened} opened, ${resolved} resolved${med === null ? "" : `; median time to recover ${took(med)}`}`;
  const lines = d.incidents.list.map((i) => incidentLine(i, d));
  return { heading: "Incidents", lines: [head, ...capped(lines, lines.length)] };
}

function actions(d: Digest): Section {
  const { runs, succeeded, failed } = d.actions;
  if (runs === 0) return { heading: "Actions", lines: ["no action ran"] };
  const running = runs - succeeded - failed;
  const head = `${runs} run${plural(runs)}: ${succeeded} succeeded, ${failed} failed${running > 0 ? `, ${running} unfinished` : ""}`;
  const lines = d.actions.by_action.map(
    (a) => `${a.action}: ${a.runs} run${plural(a.runs)}, ${a.succeeded} succeeded, ${a.failed} failed`,
  );
  return { heading: "Actions", lines: [head, ...capped(lines, lines.length)] };
}

function approvals(d: Digest): Section {
  const { approved, rejected, expired } = d.approvals;
  const total = approved + rejected + expired;
  if (total === 0) return { heading: "Approvals", lines: ["none decided or expired"] };
  const lines = d.approvals.list.map(
    (a) =>
      `${a.action}${a.target ? ` on ${a.target}` : ""}, asked by ${a.requested_by}: ${a.status} ${clock(a.decided_at, d)}`,
  );
  return {
    heading: "Approvals",
    lines: [`${approved} approved, ${rejected} rejected, ${expired} expired`, ...capped(lines, total)],
  };
}

function uptime(d: Digest): Section {
  if (d.uptime.length === 0) return { heading: "Worst uptime", lines: ["no check results recorded"] };
  return {
    heading: "Worst uptime",
    lines: d.uptime.map((u) => `${u.target}: ${u.percent.toFixed(2)}% (${u.ok} of ${u.total} results good)`),
  };
}

function audit(d: Digest): Section {
  const a = d.audit;
  const line =
    a.ok === true
      ? "verified: the chain is intact"
      : a.ok === false
        ? `DOES NOT VERIFY: ${a.reason ?? "unknown reason"}; run vigil audit verify`
        : `not verified: ${a.reason ?? "unknown reason"}`;
  return { heading: "Audit chain", lines: [line] };
}

function backups(d: Digest): Section {
  if (d.backups.error) return { heading: "Backups", lines: [d.backups.error] };
  if (d.backups.list.length === 0) return { heading: "Backups", lines: ["no backup actions configured"] };
  return {
    heading: "Backups",
    lines: d.backups.list.map((b) => {
      if (b.verified_at === null) return `${b.action}: no restore test yet`;
      const when = `${clock(b.verified_at, d)} (${b.file})`;
      return b.ok
        ? `${b.action}: restore test passed ${when}`
        : `${b.action}: restore test FAILED ${when}: ${b.error ?? ""}`;
    }),
  };
}
