/**
 * `container`: one container on the engine (Docker, or Podman's Docker API), by name or id.
 * Provides [RUNNING] [STATUS] [HEALTH] [EXIT_CODE] [OOM_KILLED] [RESTART_COUNT] [CPU_PERCENT]
 * [MEMORY_MB] [UPTIME] (ms). [HEALTH] is the image's HEALTHCHECK status, `none` without one.
 * The engine not answering is no reading (`engine_unreachable`: "cannot be checked"); a container
 * that is not there is `container_missing`.
 */
import {
  containerDefaultExpect,
  containerPlaceholders,
  lentEngine,
  readContainer,
} from "../containers/reading.ts";
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "container",
  description: "Reads one container's state, health and usage from the Docker Engine API.",
  schema: ({ z, duration }) =>
    z.strictObject({
      name: z
        .string()
        .min(1)
        .max(253)
        .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "a container name or id, as `docker ps` shows it")
        .describe("The container's name or id."),
      timeout: duration.optional(),
    }),
  example: { name: "api" },
  defaultExpect: containerDefaultExpect,
  provides: containerPlaceholders,
  doctor: () => ({ try: true }),
  async run(cfg, ctx) {
    const engine = lentEngine(() => ctx.env.engine());
    if ("class" in engine) return { values: {}, error: engine };
    return readContainer(engine, cfg.name, ctx.signal);
  },
});
