/**
 * `agent:`: the agent itself: its name, where it listens and keeps its data, its store, its mode,
 * its place in a fleet, the container engine it talks to, and the Host headers it answers.
 */
import os from "node:os";
import { z } from "zod";
import { duration, filePath, text } from "./primitives.ts";

const listen = z
  .string()
  .regex(/^(\[[0-9a-f:]+\]|[\w.-]+):\d{1,5}$/i, "host:port, e.g. 127.0.0.1:7070 or [::1]:7070");

const store = z
  .string()
  .regex(
    /^(sqlite|postgres(ql)?:\/\/.+)$/,
    "sqlite, or a PostgreSQL URL such as postgres://vigil@127.0.0.1/vigil",
  );

export const agent = z.strictObject({
  name: text(253)
    .min(1)
    .optional()
    .transform((n) => n ?? os.hostname())
    .describe("defaults to the host name"),
  listen: listen.default("127.0.0.1:7070"),
  data_dir: filePath.prefault("./.vigil"),
  store: store.default("sqlite"),
  mode: z.enum(["auto", "observe"]).default("auto").describe("observe: decide and record, never act."),
  log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  features: z
    .strictObject({
      monitoring: z.boolean().default(true),
      remediation: z.boolean().default(true),
      notifications: z.boolean().default(true),
    })
    .prefault({}),
  max_concurrent_checks: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(256)
    .describe("How many checks may run at the same moment."),
  lease: duration
    .prefault("10s")
    .refine((ms) => ms >= 1_000 && ms <= 300_000, "a lease between 1s and 5m")
    .describe(
      "How long the agent's place in the fleet holds without a renewal (renewed every third of it); after it, the agent is dead to the fleet.",
    ),
  metrics_auth: z.boolean().default(false).describe("Require a viewer token for /metrics."),
  public_ops_report: z
    .boolean()
    .default(false)
    .describe(
      "Serve /ops-report's status code and overall line to callers without a token (details need a viewer token).",
    ),
  public_url: z
    .url({
      protocol: /^https?$/,
      error: "a URL people open the dashboard at, like https://vigil.example.com",
    })
    .max(2048)
    .optional()
    .describe(
      "Where people open the dashboard (https://vigil.example.com): every incident message links to the incident's page there.",
    ),
  docker: z
    .strictObject({
      host: z
        .string()
        .max(4096)
        .regex(
          /^unix:\/\/\/\S+$/,
          "the engine's unix socket, e.g. unix:///var/run/docker.sock (tcp:// and ssh:// are not supported)",
        )
        .optional()
        .describe("The container engine's socket; default DOCKER_HOST, then unix:///var/run/docker.sock."),
    })
    .prefault({})
    .describe("The container engine (Docker or Podman's Docker API) for container and compose checks."),
  allowed_hosts: z
    .array(
      z
        .string()
        .max(253)
        .regex(
          /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9_.-]+)(:\d{1,5})?$/,
          "a host name, with a port or not, as a browser sends it in Host: vigil.internal or vigil.internal:8443",
        ),
    )
    .max(100)
    .default([])
    .describe(
      "Host headers accepted besides the listen address (a name without a port matches any port); any other Host is refused, against DNS rebinding.",
    ),
});
