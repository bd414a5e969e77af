/**
 * Live updates through `GET /api/events` (server-sent events, with the session cookie). The browser's
 * EventSource reconnects by itself and sends Last-Event-ID, so the agent replays what was missed.
 * Targets change in place; lists of incidents, approvals and runs are re-read after a burst.
 */
import { loadApprovals, loadIncidents, loadMe, loadOverview, loadTarget, soon } from "./data.ts";
import { getState, setState, updateTarget } from "./store.ts";
import type { LiveEvent } from "./types.ts";

const types = [
  "target.state",
  "check.result",
  "service.started",
  "incident.opened",
  "incident.resolved",
  "incident.escalated",
  "approval.requested",
  "approval.decided",
  "approval.expired",
  "action.requested",
  "action.finished",
  "agent.paused",
  "agent.resumed",
];
const families = "target.*,check.*,service.*,incident.*,approval.*,action.*,agent.*";

const text = (v: unknown) => (typeof v === "string" ? v : "");

function apply(e: LiveEvent): void {
  const p = e.payload;
  switch (e.type) {
    case "target.state":
      updateTarget(e.subject, () => ({ state: String(p.to), since: e.ts }));
      break;
    case "check.result":
      updateTarget(e.subject, () => ({
        last_result: {
          ts: e.ts,
          ok: p.ok === true,
          duration_ms: Number(p.duration_ms ?? 0),
          explanation: text(p.explanation),
        },
      }));
      break;
    case "service.started":
      updateTarget(e.subject, () => ({ pid: Number(p.pid) }));
      void loadTarget(e.subject).catch(() => undefined);
      break;
    case "incident.opened":
      updateTarget(e.subject, () => ({ incident_id: String(p.incident_id) }));
      soon(loadIncidents);
      break;
    case "incident.resolved":
      updateTarget(e.subject, (t) => (t.incident_id === p.incident_id ? { incident_id: null } : {}));
      soon(loadIncidents);
      break;
    case "incident.escalated":
      soon(loadIncidents);
      break;
    case "agent.paused":
    case "agent.resumed":
      setState({
        pause: {
          paused: e.type === "agent.paused",
          by: e.actor,
          reason: text(p.reason),
          since: e.ts,
        },
      });
      break;
    default:
      // approvals and action runs
      soon(loadApprovals);
  }
  setState({ eventSeq: getState().eventSeq + 1 });
}

/** Opens the stream; returns the function that closes it (logout). */
export function connectLive(): () => void {
  let source: EventSource | undefined;
  let retry: number | undefined;
  let broken = false;
  const open = () => {
    source = new EventSource(`/api/events?types=${encodeURIComponent(families)}`);
    source.onopen = () => {
      setState({ live: "live" });
      // Back after a break: the replay brings events, the overview brings uptime and latencies.
      if (broken) soon(loadOverview);
      broken = false;
    };
    source.onerror = () => {
      broken = true;
      setState({ live: "reconnecting" });
      // CLOSED means the browser gave up (the agent refused the stream, e.g. the session ended).
      if (source?.readyState === EventSource.CLOSED) {
        source.close();
        retry = window.setTimeout(() => {
          void loadMe().then((me) => {
            if (me) open();
          });
        }, 3_000);
      }
    };
    for (const type of types) {
      source.addEventListener(type, (ev) =>
        apply(JSON.parse((ev as MessageEvent<string>).data) as LiveEvent),
      );
    }
  };
  open();
  return () => {
    window.clearTimeout(retry);
    source?.close();
  };
}
