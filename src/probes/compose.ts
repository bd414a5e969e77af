/**
 * `compose`: every container of a Docker Compose project (labelled
 * `com.docker.compose.project=<project>`), each its own target `<check>/<service>` judged by the
 * check's conditions, with the `container` check's placeholders. A container removed from the
 * project stops being a target at the next reading; a stopped one stays, and is down.
 * The check's own target is down when the engine does not answer (each member then "cannot be
 * checked") or when no container carries the project's label.
 */
import type { Engine } from "../containers/engine.ts";
import {
  containerDefaultExpect,
  containerPlaceholders,
  lentEngine,
  readContainer,
  readingError,
} from "../containers/reading.ts";
import { defineProbe, type ProbeOutcome } from "./probe.ts";

export const projectLabel = "com.docker.compose.project";
export const serviceLabel = "com.docker.compose.service";
export const numberLabel = "com.docker.compose.container-number";
/** Containers read at the same time: a project of 40 is read in 5 rounds, not 40 at once. */
const parallel = 8;

export default defineProbe({
  type: "compose",
  description: "Every container of a Docker Compose project, each its own target named check/service.",
  schema: ({ z, duration }) =>
    z.strictObject({
      project: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[a-z0-9][a-z0-9_-]*$/, "a Compose project name: lowercase letters, digits, '-' and '_'")
        .describe("The project's name (its com.docker.compose.project label)."),
      timeout: duration.optional(),
    }),
  example: { project: "wingman-prd" },
  defaultExpect: containerDefaultExpect,
  provides: containerPlaceholders,
  group: true,
  doctor: () => ({ try: true }),
  async run(cfg, ctx) {
    const engine = lentEngine(() => ctx.env.engine());
    if ("class" in engine) return { values: {}, error: engine };
    return readProject(engine, cfg.project, ctx.signal);
  },
});

async function readProject(engine: Engine, project: string, signal: AbortSignal): Promise<ProbeOutcome> {
  let listed;
  try {
    listed = await engine.list({ labels: { [projectLabel]: project }, all: true }, { signal });
  } catch (e) {
    return { values: {}, error: readingError(e, engine) };
  }
  if (listed.length === 0) {
    return {
      values: { CONTAINERS: 0 },
      error: {
        class: "container_missing",
        message: `no container is labelled ${projectLabel}=${project} on the engine at ${engine.socket}`,
      },
      members: [],
    };
  }
  const perService = new Map<string, number>();
  for (const c of listed) {
    const s = c.labels[serviceLabel] ?? c.name;
    perService.set(s, (perService.get(s) ?? 0) + 1);
  }
  const members: NonNullable<ProbeOutcome["members"]> = [];
  for (let i = 0; i < listed.length; i += parallel) {
    const batch = listed.slice(i, i + parallel);
    const read = await Promise.all(batch.map((c) => readContainer(engine, c.id, signal)));
    batch.forEach((c, j) => {
      const service = c.labels[serviceLabel] ?? c.name;
      // scaled services (`--scale worker=3`) have one container per number: worker-1, worker-2 ...
      const n = c.labels[numberLabel];
      const name = (perService.get(service) ?? 0) > 1 && n ? `${service}-${n}` : service;
      const r = read[j]!;
      // removed between the list and its reading: gone, as it will be from the next list
      if (r.error?.class === "container_missing") return;
      members.push({ name: memberName(name), values: r.values, ...(r.error ? { error: r.error } : {}) });
    });
  }
  return { values: { CONTAINERS: listed.length }, members };
}

/** A member's name goes into the target's name and URLs: the service's, kept to Vigil's name rule. */
function memberName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, "_").slice(0, 63) || "_";
}
