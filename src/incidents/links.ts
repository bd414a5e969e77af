/**
 * Incidents behind a failed dependency (`depends_on`): a dependent's incident is linked to its
 * dependency's, so a storm behind one failed dependency is one problem, escalated once.
 */
import type { EventBus } from "../core/events.ts";
import type { IncidentRow, IncidentStore } from "../store/incident-store.ts";

export interface LinkDeps {
  store: IncidentStore;
  bus: EventBus;
  /** The services a target depends on. */
  dependsOn: (target: string) => readonly string[];
  /** Dependents down behind one dependency that make a storm. */
  stormSize?: number;
  /** Puts a line on an incident's timeline. */
  note: (incident: IncidentRow, kind: string, detail: string) => Promise<void>;
}

/** Links a dependent to its failed dependency, and the dependency's open dependents to it. */
export async function linkDependencies(
  incident: IncidentRow,
  open: ReadonlyMap<string, IncidentRow>,
  d: LinkDeps,
): Promise<void> {
  const dependency = d
    .dependsOn(incident.target)
    .map((t) => open.get(t))
    .find(Boolean);
  if (dependency) await linkTo(incident, dependency, open, d);
  for (const other of open.values()) {
    if (other !== incident && !other.linked_to && d.dependsOn(other.target).includes(incident.target)) {
      await linkTo(other, incident, open, d);
    }
  }
}

async function linkTo(
  dependent: IncidentRow,
  dependency: IncidentRow,
  open: ReadonlyMap<string, IncidentRow>,
  d: LinkDeps,
): Promise<void> {
  dependent.linked_to = dependency.id;
  await d.store.updateIncident(dependent);
  await d.note(
    dependent,
    "linked",
    `held: its dependency ${dependency.target} is down (incident ${dependency.id})`,
  );
  const behind = [...open.values()].filter((i) => i.linked_to === dependency.id);
  // Called once a person should know; the dependency itself is still worked on first.
  if (behind.length === (d.stormSize ?? 3)) {
    const targets = behind.map((i) => i.target);
    await d.note(
      dependency,
      "storm",
      `${behind.length} dependents are down behind ${dependency.target}: ${targets.join(", ")}`,
    );
    await d.bus.emit("incident.storm", dependency.target, {
      incident_id: dependency.id,
      dependents: targets,
    });
  }
}
