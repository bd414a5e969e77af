/**
 * The page's state in one place: what the API answered, kept current by the event stream. Updates
 * replace only the objects that changed, so a row whose target did not change is not redrawn (the
 * targets table compares rows by identity), which is what keeps 1,000 targets cheap.
 */
import { useEffect, useState } from "preact/hooks";
import type { Approval, Incident, Me, Member, PauseState, Run, Target } from "./types.ts";

export interface State {
  /** undefined while the page asks who it is; null when logged out. */
  me: Me | null | undefined;
  targets: Target[];
  /** When the overview was last read (ms epoch), null before. */
  targetsAt: number | null;
  pause: PauseState;
  incidents: Incident[];
  approvals: Approval[];
  runs: Run[];
  /** The agents sharing this agent's store (one on SQLite); null before the first read. */
  fleet: Member[] | null;
  live: "connecting" | "live" | "reconnecting";
  /** Bumped on every event: pages that show derived data re-read when it moves. */
  eventSeq: number;
}

let state: State = {
  me: undefined,
  targets: [],
  targetsAt: null,
  pause: { paused: false, by: null, reason: null, since: null },
  incidents: [],
  approvals: [],
  runs: [],
  fleet: null,
  live: "connecting",
  eventSeq: 0,
};
const listeners = new Set<() => void>();
let queued = false;

export function getState(): State {
  return state;
}

/** Merges a change; listeners run once per animation frame however many changes arrive. */
export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => {
    queued = false;
    for (const l of listeners) l();
  });
}

/** Replaces one target by name (a new object, so its row redraws), keeping the list's order. */
export function updateTarget(name: string, change: (t: Target) => Partial<Target>): void {
  const i = state.targets.findIndex((t) => t.name === name);
  const current = state.targets[i];
  if (!current) return;
  const targets = state.targets.slice();
  targets[i] = { ...current, ...change(current) };
  setState({ targets });
}

/** The state, re-rendering the component whenever it changes. */
export function useStore(): State {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return state;
}
