/**
 * Turns the validated config into what the supervisor and the monitor run. Past config/, nothing
 * re-validates: a condition that fails to parse here is a bug in the schema, so it throws.
 */
import { parseCondition, type Condition } from "../conditions/index.ts";
import type { CheckConfig, ServiceConfig, VigilConfig } from "../config/schema.ts";
import type { HealthPolicy } from "../incidents/target-state.ts";
import { kindOf } from "../gateway/kinds/index.ts";
import { runsShared } from "../fleet/shared-config.ts";
import { probeOf, probes } from "../probes/index.ts";
import type { SupervisedSpec } from "../supervisor/supervisor.ts";
import type { CheckSpec } from "../targets/monitor.ts";
import type { TargetKind } from "../targets/targets.ts";

/** The environment a service inherits before its own `env`: enough to run, nothing secret. */
const inherited = [
  "PATH",
  "HOME",
  "LANG",
  "LC_ALL",
  "TZ",
  "USER",
  "LOGNAME",
  "TMPDIR",
  "NODE_OPTIONS",
] as const;

export interface TargetPlan {
  name: string;
  kind: TargetKind;
  policy: HealthPolicy;
  /** Ignore failing results while a service is younger than this. */
  startPeriodMs: number;
  check: CheckSpec | undefined;
  /** A group check: its members are targets of their own (probe.ts `group`). */
  group?: boolean;
  /** A fleet's shared check (`run_on: any`): one live agent runs it (fleet/shared-checks.ts). */
  shared?: boolean;
  description?: string | undefined;
}

export function serviceSpecs(config: VigilConfig, env: NodeJS.ProcessEnv = process.env): SupervisedSpec[] {
  return Object.entries(config.services).map(([name, s]): SupervisedSpec => {
    const common = {
      name,
      dependsOn: s.depends_on,
      restart: {
        policy: s.restart.policy,
        initialMs: s.restart.backoff.initial,
        maxMs: s.restart.backoff.max,
        factor: s.restart.backoff.factor,
        jitter: s.restart.backoff.jitter,
        minUptimeMs: s.restart.min_uptime,
        maxRestarts: s.restart.max_restarts,
        windowMs: s.restart.window,
        retryAfterFailedMs: s.restart.retry_after_failed,
      },
      stop: { signal: s.stop.signal, timeoutMs: s.stop.timeout },
    };
    // The schema has made sure a service has exactly one of the two.
    if (s.container) return { ...common, container: { name: s.container.name } };
    const base: Record<string, string> = {};
    for (const k of inherited) if (env[k] !== undefined) base[k] = env[k];
    return { ...common, command: s.command!, cwd: s.cwd, env: { ...base, ...s.env }, port: s.port };
  });
}

export function targetPlans(config: VigilConfig): TargetPlan[] {
  const plans: TargetPlan[] = [];
  for (const [name, s] of Object.entries(config.services)) {
    plans.push(plan(name, "service", s.health));
  }
  for (const [name, c] of Object.entries(config.checks))
    plans.push({
      ...plan(name, "check", c),
      description: c.description,
      ...(runsShared(c) ? { shared: true } : {}),
    });
  plans.push(...backupPlans(config));
  return plans;
}

/** The target of a backup action's built-in freshness check: `:` is in no name a config may give. */
export const backupTarget = (action: string) => `backup:${action}`;

/**
 * Every `backup` action is watched by a built-in check of its folder (probes/backup.ts): the newest
 * good backup's [AGE]. One failing reading is enough: a backup does not flap, and the night is over.
 */
function backupPlans(config: VigilConfig): TargetPlan[] {
  const probe = probes.get("backup");
  if (!probe) throw new Error("the backup probe is missing from src/probes");
  return Object.entries(config.actions).flatMap(([action, decl]): TargetPlan[] => {
    const { type, settings } = kindOf(decl);
    if (type !== "backup") return [];
    const b = settings as { to: string; check: { expect: string[]; every: number } };
    const name = backupTarget(action);
    return [
      {
        name,
        kind: "check",
        policy: { failAfter: 1, recoverAfter: 1, flapWindowMs: 600_000, flapMaxChanges: 6 },
        startPeriodMs: 0,
        description: `the newest good backup of the action ${action}, in ${b.to}`,
        check: {
          target: name,
          probe,
          probeConfig: { path: b.to },
          conditions: b.check.expect.map((text) => parsed(name, text)),
          everyMs: b.check.every,
          everyFailingMs: b.check.every,
          timeoutMs: 10_000,
          jitterMs: Math.min(1_000, Math.round(b.check.every * 0.05)),
        },
      },
    ];
  });
}

function parsed(name: string, text: string): Condition {
  const p = parseCondition(text);
  if (!p.ok)
    throw new Error(`${name}: condition "${text}" passed config validation but does not parse: ${p.message}`);
  return p.condition;
}

function plan(
  name: string,
  kind: TargetKind,
  c: CheckConfig | ServiceConfig["health"] | undefined,
): TargetPlan {
  const flap = c?.flap ?? { window: 600_000, max_changes: 6 };
  const policy: HealthPolicy = {
    failAfter: c?.fail_after ?? 3,
    recoverAfter: c?.recover_after ?? 1,
    flapWindowMs: flap.window,
    flapMaxChanges: flap.max_changes,
  };
  if (!c) return { name, kind, policy, startPeriodMs: 0, check: undefined };
  const found = probeOf(c);
  if (!found) throw new Error(`${kind} ${name}: no registered probe among its keys`);
  const { probe, settings } = found;
  const texts = c.expect.length > 0 ? c.expect : probe.defaultExpect;
  const conditions: Condition[] = texts.map((text) => {
    const parsed = parseCondition(text);
    if (!parsed.ok)
      throw new Error(
        `${name}: condition "${text}" passed config validation but does not parse: ${parsed.message}`,
      );
    return parsed.condition;
  });
  const every = c.every;
  const probeConfig = settings as { timeout?: number };
  return {
    name,
    kind,
    policy,
    startPeriodMs: c.start_period ?? 0,
    ...(probe.group ? { group: true } : {}),
    check: {
      target: name,
      probe,
      probeConfig,
      conditions,
      everyMs: every,
      everyFailingMs: c.every_failing ?? Math.min(every, probe.defaultEveryFailingMs ?? every),
      // DESIGN writes the timeout inside the probe (`http: { url, timeout: 2s }`); the check-level one is the fallback.
      timeoutMs: probeConfig.timeout ?? c.timeout,
      jitterMs: c.jitter ?? Math.min(1_000, Math.round(every * 0.05)),
    },
  };
}
