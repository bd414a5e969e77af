/** A job run's outcome in one line, from the gateway's run view (already redacted and capped). */
import type { EventMap } from "../core/events.ts";
import type { RunView } from "../gateway/types.ts";

/** Last line of the run's error output, shortened: usually the line that says what went wrong. */
const lastLine = (text: string | undefined) => (text ?? "").trim().split("\n").at(-1)?.slice(0, 300);

export function outcomeOf(run: RunView): string {
  const r = run.result;
  if (!r) return run.status;
  if (r.ok) return `${run.action} succeeded in ${r.duration_ms} ms`;
  const tail = lastLine(r.stderr) || lastLine(r.stdout);
  return `${run.action} failed: ${whyFailed(r)}${tail ? ` (${tail})` : ""}`;
}

/** The first that applies: a timeout, the gateway's error, the exit code, the signal, the HTTP status. */
function whyFailed(r: NonNullable<RunView["result"]>): string {
  if (r.timed_out) return `timed out after ${r.duration_ms} ms`;
  if (r.error !== undefined && r.error !== null) return r.error;
  if (r.exit_code !== undefined && r.exit_code !== null) return `exit code ${r.exit_code}`;
  if (r.signal) return `killed by ${r.signal}`;
  if (r.http_status !== undefined && r.http_status !== null) return `HTTP ${r.http_status}`;
  return "failed";
}

/** A rejection as the job records it, whether heard as it happens or read from the store later. */
export function rejectedDetail(by: string, note: string | null | undefined): string {
  return `rejected by ${by}${note ? `: ${note}` : ""}`;
}

/** The same line from an approved run's `action.finished` event, which carries no run view. */
export function finishedOutcome(p: EventMap["action.finished"]): string {
  if (p.status === "succeeded") return `${p.action} succeeded in ${p.duration_ms} ms`;
  const why = p.exit_code === null ? p.status : `exit code ${p.exit_code}`;
  const tail = lastLine(p.output);
  return `${p.action} failed: ${why}${tail ? ` (${tail})` : ""}`;
}
