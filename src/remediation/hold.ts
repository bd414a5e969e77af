/**
 * Holds: why automatic action on a target is off right now. Held, the engine still decides and
 * records what it would do, and acts on nothing. Notifications are muted for fewer reasons: the kill
 * switch and silences, never observe mode or flapping, which people want to hear about.
 */

export interface HoldDeps {
  /** The kill switch (`vigil pause`). */
  paused: () => boolean;
  agent: () => { mode: string; features: { remediation: boolean } };
  state: (target: string) => string | undefined;
  /** Why the target is silenced (a silence or a maintenance window), or undefined. */
  silenced: (target: string) => string | undefined;
}

/** Why the engine must not act on `target` now, or undefined when it may. */
export function holdReason(target: string, d: HoldDeps): string | undefined {
  if (d.paused()) return "paused (the kill switch)";
  const agent = d.agent();
  if (agent.mode === "observe") return "observe mode";
  if (!agent.features.remediation) return "automatic remediation is off (agent.features.remediation)";
  if (d.state(target) === "flapping") return "flapping";
  return d.silenced(target);
}

/** Why notifications about `target` are held now, or undefined when they go out. */
export function mutedReason(target: string, d: Pick<HoldDeps, "paused" | "silenced">): string | undefined {
  return d.paused() ? "paused (the kill switch)" : d.silenced(target);
}
