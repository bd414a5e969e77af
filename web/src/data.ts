/** Reads from the API into the store. Each is safe to call again at any time (it replaces, never appends). */
import { api, setCsrfToken } from "./api.ts";
import { setState, updateTarget } from "./store.ts";
import type { Approval, Incident, Me, Member, Overview, Run } from "./types.ts";

export async function loadMe(): Promise<Me | null> {
  try {
    const me = await api<Me>("/api/session");
    setCsrfToken(me.csrf_token);
    setState({ me });
    return me;
  } catch {
    setCsrfToken(null);
    setState({ me: null });
    return null;
  }
}

export async function loadOverview(): Promise<void> {
  const o = await api<Overview>("/api/overview");
  setState({ targets: o.targets, targetsAt: o.generated_at, pause: o.pause });
}

/** One target's current view (its restart count moves with each start the supervisor makes). */
export async function loadTarget(name: string): Promise<void> {
  const t = await api<{ restarts: number; pid?: number }>(`/api/targets/${encodeURIComponent(name)}`);
  updateTarget(name, () => ({ restarts: t.restarts, ...(t.pid ? { pid: t.pid } : {}) }));
}

export async function loadIncidents(): Promise<void> {
  const { incidents } = await api<{ incidents: Incident[] }>("/api/incidents?limit=200");
  setState({ incidents });
}

export async function loadApprovals(): Promise<void> {
  const [{ approvals }, { runs }] = await Promise.all([
    api<{ approvals: Approval[] }>("/api/approvals?limit=100"),
    api<{ runs: Run[] }>("/api/actions/runs?limit=100"),
  ]);
  setState({ approvals, runs });
}

/** The fleet's agents: nothing in this agent's event stream says when another joins or dies. */
export async function loadFleet(): Promise<void> {
  const { agents } = await api<{ agents: Member[] }>("/api/fleet");
  setState({ fleet: agents });
}

/** Everything a page may show, after login or a reconnect. */
export async function loadAll(): Promise<void> {
  await Promise.all([loadOverview(), loadIncidents(), loadApprovals(), loadFleet()]);
}

const timers = new Map<() => Promise<void>, number>();

/** Runs a load once shortly after a burst of events, rather than once per event. */
export function soon(load: () => Promise<void>, ms = 250): void {
  if (timers.has(load)) return;
  timers.set(
    load,
    window.setTimeout(() => {
      timers.delete(load);
      load().catch(() => undefined);
    }, ms),
  );
}
