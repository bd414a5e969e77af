/**
 * The whole of vigil.yaml as one zod schema: every section of DESIGN, defaults included, unknown keys
 * refused. Durations come out as milliseconds, commands as argv, paths absolute. Cross-references
 * between sections (names used twice, depends_on, remediate, routes) are checked in `refs.ts`.
 */
import { z } from "zod";
import { parseCondition } from "../conditions/index.ts";
import { actionSchema } from "../gateway/action.schema.ts";
import { probeOf, probes } from "../probes/index.ts";
import { agent } from "./agent-schema.ts";
import { alertmanager, targetName } from "./alertmanager.ts";
import { governance } from "./governance.ts";
import { remediateStep } from "./remediate-step.ts";
import { kit } from "./kit.ts";
import { notify } from "./notify-schema.ts";
import {
  argv,
  byteSize,
  duration,
  envMap,
  exactlyOne,
  filePath,
  labels,
  name,
  port,
  severities,
  text,
} from "./primitives.ts";

export const roles = ["viewer", "agent", "operator", "admin"] as const;
export { severities } from "./primitives.ts";

const auth = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name,
        role: z.enum(roles),
        token: z
          .string()
          .min(16, "at least 16 characters; generate one with `openssl rand -hex 24`")
          .max(1024, "at most 1024 characters"),
      }),
    )
    .default([]),
});

const condition = text(2_000).superRefine((text, ctx) => {
  const parsed = parseCondition(text);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: `column ${parsed.column}: ${parsed.message}` });
});

export type { RemediateStep } from "./remediate-step.ts";

/** One optional key per check type found in src/probes/; what each holds is typed by its own probe. */
const probeTypes = probes.names();
const probeKeys: Record<string, z.ZodOptional<z.ZodType>> = Object.fromEntries(
  probes.entries().map(([type, p]) => [type, p.schema(kit).describe(p.description).optional()]),
);

const checkTiming = {
  every: duration.prefault("30s"),
  every_failing: duration.optional().describe("Shorter while failing, to notice recovery sooner."),
  timeout: duration.prefault("10s"),
  expect: z.array(condition).default([]),
  fail_after: z.number().int().min(1).max(100).default(3),
  recover_after: z.number().int().min(1).max(100).default(1),
  start_period: duration
    .optional()
    .describe("Failing results are ignored while a service is younger than this."),
  jitter: duration.optional(),
  /** More state changes than this within the window: `flapping`, and no remediation while it lasts. */
  flap: z
    .strictObject({ window: duration.prefault("10m"), max_changes: z.number().int().min(2).default(6) })
    .prefault({}),
};

const exactlyOneProbe = exactlyOne(probeTypes, "say what to check with one of", "a check watches one thing");

/**
 * Check types that cannot be a service's health, each with why: group checks (`compose`) yield
 * targets of their own, and some watch something else (`approvals`: the agent's queue).
 */
const notHealth = probes
  .entries()
  .flatMap(([type, p]): [string, string][] =>
    p.group
      ? [
          [
            type,
            `a ${type} check watches a group, each member its own target: write it under checks:, not as a service's health`,
          ],
        ]
      : p.notHealth
        ? [[type, p.notHealth]]
        : [],
  );

const health = z
  .strictObject({ ...probeKeys, ...checkTiming })
  .superRefine(exactlyOneProbe)
  .superRefine((h: Record<string, unknown>, ctx) => {
    for (const [type, message] of notHealth)
      if (h[type] !== undefined) ctx.addIssue({ code: "custom", path: [type], message });
  });

/** `run_on: any` on a check that reads this host (disk, memory, a process ...) could not mean the same on another. */
function runOnFits(c: Record<string, unknown>, ctx: z.RefinementCtx): void {
  if (c.run_on !== "any") return;
  const found = probeOf(c);
  if (!found || found.probe.shared) return;
  ctx.addIssue({
    code: "custom",
    path: ["run_on"],
    message: `a ${found.type} check reads the host of the agent that runs it, so only that agent can run it: remove run_on, or set run_on: self`,
  });
}

const check = z
  .strictObject({
    ...probeKeys,
    ...checkTiming,
    remediate: z.array(remediateStep).default([]),
    severity: z.enum(severities).default("warning"),
    labels: labels.default({}),
    description: text(1_000)
      .optional()
      .describe("What the check is for: shown beside its state in the API and the dashboard."),
    run_on: z
      .enum(["any", "self"])
      .optional()
      .describe(
        "On a PostgreSQL fleet: one live agent of those that configure it runs it (any), or this one does (self). Default any for http, tcp, dns and sql, self for the rest; any is refused for checks that read this host (disk, memory, process, container ...).",
      ),
  })
  .superRefine(exactlyOneProbe)
  .superRefine(runOnFits);

const service = z
  .strictObject({
    command: argv.optional(),
    container: z
      .strictObject({
        name: z
          .string()
          .regex(
            /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/,
            "a container's name as the engine knows it: letters, digits, _ . -, e.g. worker-1",
          )
          .describe(
            "The container's name (or id). It must exist: Vigil starts and stops it, never creates it.",
          ),
      })
      .optional()
      .describe(
        "A container that exists on the engine (agent.docker), supervised instead of a command: restarted on its `die` event through the engine's API.",
      ),
    cwd: filePath.prefault(".").describe("Defaults to the config file's folder."),
    env: envMap.prefault({}),
    port: port.optional(),
    depends_on: z.array(name).default([]),
    restart: z
      .strictObject({
        policy: z.enum(["always", "on-failure", "never"]).default("always"),
        backoff: z
          .strictObject({
            initial: duration.prefault("100ms"),
            max: duration.prefault("30s"),
            factor: z.number().min(1).max(10).default(2),
            jitter: z
              .number()
              .min(0)
              .max(1)
              .default(0.1)
              .describe("Fraction of each delay that is random, so services do not restart in lockstep."),
          })
          .prefault({}),
        min_uptime: duration
          .prefault("10s")
          .describe("A run this long counts as stable: the backoff starts over."),
        max_restarts: z.number().int().min(0).max(1_000).default(5),
        window: duration.prefault("5m"),
        retry_after_failed: z
          .union([duration, z.literal(false)])
          .prefault("10m")
          .describe("After giving up, one more start this often; false never."),
      })
      .prefault({}),
    stop: z
      .strictObject({
        signal: z.enum(["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2"]).default("SIGTERM"),
        timeout: duration.prefault("10s"),
      })
      .prefault({}),
    health: health.optional(),
    remediate: z.array(remediateStep).default(["restart"]),
    severity: z.enum(severities).default("critical"),
    labels: labels.default({}),
    log: z
      .strictObject({ max_size: byteSize.prefault("10MB"), keep: z.number().int().min(0).max(50).default(3) })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    if ((s.command === undefined) === (s.container === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "a service needs exactly one of command (a process) or container",
      });
    }
    if (s.container === undefined) return;
    // What only a process has: refused rather than accepted and ignored for a container.
    if (s.port !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["port"],
        message: "port is for a command service (its port conflicts); a container's ports are the engine's",
      });
    }
    if (Object.keys(s.env).length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["env"],
        message: "env is for a command service; a container's environment is set when it is created",
      });
    }
  });

/** The shape only; what croner makes of it (fields, ranges, a time zone) is checked in refs. */
const cron = text(200)
  .min(1)
  .describe(
    'Five cron fields (minute hour day-of-month month day-of-week), or six with seconds first: "30 2 * * *".',
  );

const job = z.strictObject({
  cron,
  action: name.describe("A declared action or a built-in one; it runs through the gateway, as `job:<name>`."),
  params: z
    .record(name, z.union([text(4096), z.number()]))
    .default({})
    .describe("The action's parameters, checked against its `params:` at load."),
  target: name.optional().describe("The service or check the action acts on (the built-ins need one)."),
  timezone: text(100)
    .optional()
    .describe(
      "An IANA time zone the cron is read in (Europe/Amsterdam); the agent's local time without one.",
    ),
  timeout: duration.optional().describe("The run's time limit, in place of the action's own `timeout`."),
  overlap: z
    .enum(["skip", "queue"])
    .default("skip")
    .describe("Still running at its next time: skip that run (audited job.skipped), or queue one run."),
  catch_up: z
    .enum(["none", "once"])
    .default("none")
    .describe("Runs missed while the agent was down (audited job.missed): none, or run once at start."),
});

const remediation = z.strictObject({
  max_attempts: z.number().int().min(0).max(100).default(3),
  cooldown: duration.prefault("60s"),
  verify_within: duration.prefault("2m"),
  max_concurrent: z.number().int().min(1).max(100).default(2),
  max_actions_per_hour: z.number().int().min(0).max(10_000).default(20),
  order: z.enum(["adaptive", "as-written"]).default("adaptive"),
  approval_ttl: duration.prefault("30m"),
});

export const configSchema = z.strictObject({
  agent: agent.prefault({}),
  auth: auth.prefault({}),
  services: z.record(name, service).default({}),
  checks: z.record(name, check).default({}),
  actions: z.record(name, actionSchema).default({}),
  remediation: remediation.prefault({}),
  notify: notify.prefault({}),
  /** Actions on a schedule, through the gateway (src/jobs). */
  jobs: z.record(name, job).default({}).describe("Actions run on a cron schedule, through the gateway."),
  /** Recurring maintenance windows: no remediation and no notification for these targets. */
  maintenance: z
    .array(
      z.strictObject({
        targets: z.array(targetName).min(1),
        cron,
        duration,
        reason: text(500).optional(),
      }),
    )
    .default([]),
  /** Claim verification, the claims watcher and instruction checks (src/governance). */
  governance: governance.prefault({}),
  /** Alertmanager's alerts as targets, and the runbooks that answer them (src/alertmanager). */
  alertmanager: alertmanager
    .prefault({})
    .describe("Runbooks for Alertmanager's alerts, posted to POST /api/alertmanager."),
});

export type VigilConfig = z.output<typeof configSchema>;
export type ServiceConfig = VigilConfig["services"][string];
export type CheckConfig = VigilConfig["checks"][string];
export type HealthConfig = NonNullable<ServiceConfig["health"]>;
export type ActionConfig = VigilConfig["actions"][string];
