/**
 * Services and checks: each check tried once (HTTP, TCP, disk, memory, process), each program looked
 * for, and each service's ports compared: the port its env gives it, the port it declares and the
 * port its health check probes must be one port. A health check on the wrong port fails for days
 * with "connection refused" while the service runs fine next door.
 */
import { targetPlans } from "../app/specs.ts";
import { systemClock } from "../core/clock.ts";
import { evaluateAll } from "../conditions/index.ts";
import type { ServiceConfig } from "../config/schema.ts";
import type { ProbeEnvironment, ProbeOutcome } from "../probes/probe.ts";
import { Engine, isEngineError } from "../containers/engine.ts";
import { findPortHolder } from "../supervisor/ports.ts";
import type { CheckSpec } from "../targets/monitor.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem, skipped } from "./finding.ts";
import { probeOf } from "../probes/index.ts";
import { connect, isLocal } from "./network.ts";
import { checkFolder, checkProgram } from "./programs.ts";

/** Lent to probes: doctor has no agent state, and executes nothing. */
const offline: Omit<ProbeEnvironment, "engine"> = {
  clock: systemClock,
  lastHeartbeat: () => undefined,
  watchingSince: () => Date.now(),
  servicePids: () => [],
  exec: async () => ({
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    truncated: false,
    timedOut: false,
    spawnError: "doctor executes nothing",
    durationMs: 0,
  }),
  approvalQueue: () => Promise.reject(new Error("doctor reads no agent's store")),
};

/** The fix when the engine's socket does not answer, for a check and a container service alike. */
const reachEngine =
  "start the container engine (Docker, or `podman system service`), or point agent.docker.host at its socket; the agent's user must be allowed to open it";

/** One client per socket for the whole doctor run. */
const engines = new Map<string, Engine>();
function engineFor(host: string | undefined): Engine {
  const key = host ?? "";
  let e = engines.get(key);
  if (!e) engines.set(key, (e = Engine.fromHost(host)));
  return e;
}

interface Endpoint {
  host: string;
  port: number;
  /** Where the port is written. */
  key: string;
}

/** Tries one check the way its probe's `doctor` plan says: run it once, look for its program, or skip it. */
export async function tryCheck(
  thing: string,
  spec: CheckSpec,
  key: string,
  ctx: DoctorContext,
  envPort?: number,
): Promise<Finding[]> {
  const plan = spec.probe.doctor(spec.probeConfig);
  if ("skip" in plan) return [skipped(thing, plan.skip)];
  if ("program" in plan) {
    const p = plan.program;
    const field = `${key}.${p.field}`;
    const out = [
      await checkProgram(thing, p.argv, {
        cwd: p.cwd ?? process.cwd(),
        searchPath: p.env.PATH ?? ctx.path,
        key: `${field}.run`,
      }),
    ];
    if (p.cwd) out.push(await checkFolder(thing, p.cwd, `${field}.cwd`));
    return out;
  }
  const at = plan.endpoint && { ...plan.endpoint, key: `${key}.${plan.endpoint.field}` };
  return tryProbe(thing, spec, key, ctx, at, envPort);
}

async function tryProbe(
  thing: string,
  spec: CheckSpec,
  key: string,
  ctx: DoctorContext,
  at: Endpoint | undefined,
  envPort?: number,
): Promise<Finding[]> {
  const timeoutMs = Math.min(spec.timeoutMs, ctx.timeoutMs);
  const outcome = await spec.probe.run(spec.probeConfig, {
    target: spec.target,
    timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    env: { ...offline, engine: () => engineFor(ctx.config.agent.docker.host) },
  });
  if (outcome.error)
    return [await explainFailure(thing, outcome.error, at, key, { timeoutMs, envPort, spec })];
  if (outcome.members) return [groupFinding(thing, key, spec, outcome.members)];
  const judged = evaluateAll(spec.conditions, outcome.values);
  const seen = summary(outcome.values);
  if (judged.ok) return [ok(thing, `${seen}every condition holds (${spec.conditions.length})`)];
  const failed = judged.results.filter((r) => !r.ok).map((r) => r.explanation);
  return [
    problem(
      thing,
      `${seen}${failed.join("; ")}`,
      `it answers, but not as the check expects: fix what it watches, or the conditions in ${key}.expect`,
    ),
  ];
}

/** A group check (`compose`): each member judged as the agent judges it, the failing ones named. */
function groupFinding(
  thing: string,
  key: string,
  spec: CheckSpec,
  members: NonNullable<ProbeOutcome["members"]>,
): Finding {
  const failing = members.flatMap((m) => {
    if (m.error) return [`${spec.target}/${m.name}: ${m.error.message}`];
    const judged = evaluateAll(spec.conditions, m.values);
    const failed = judged.results.filter((r) => !r.ok).map((r) => r.explanation);
    return failed.length > 0 ? [`${spec.target}/${m.name}: ${failed.join("; ")}`] : [];
  });
  if (failing.length === 0) return ok(thing, `${members.length} members; every condition holds for each`);
  return problem(thing, failing.join(" | "), `fix what it watches, or the conditions in ${key}.expect`);
}

function summary(values: ProbeOutcome["values"]): string {
  const parts: string[] = [];
  if (typeof values.STATUS === "number") parts.push(`HTTP ${values.STATUS}`);
  if (typeof values.RESPONSE_TIME === "number") parts.push(`in ${values.RESPONSE_TIME} ms`);
  return parts.length > 0 ? `${parts.join(" ")}; ` : "";
}

async function explainFailure(
  thing: string,
  error: NonNullable<ProbeOutcome["error"]>,
  at: Endpoint | undefined,
  key: string,
  o: { timeoutMs: number; envPort: number | undefined; spec: CheckSpec },
): Promise<Finding> {
  if (error.class === "connection_refused" && at) {
    if (o.envPort !== undefined && o.envPort !== at.port) {
      const other = await connect(at.host, o.envPort, o.timeoutMs);
      return problem(
        thing,
        `port ${at.port} refused: is the service listening on ${o.envPort} as its env says?`,
        other.ok
          ? `${at.host}:${o.envPort} answers: point ${at.key} at port ${o.envPort}`
          : `nothing answers on ${o.envPort} either: is it running? \`vigil logs\` shows its output`,
      );
    }
    return problem(
      thing,
      `port ${at.port} refused on ${at.host}: nothing listens there`,
      `start what should listen there, or fix the port in ${at.key}`,
    );
  }
  if (error.class === "dns_failure" && at)
    return problem(
      thing,
      `${at.host} does not resolve`,
      `check the host name in ${at.key}, or this machine's DNS`,
    );
  if (error.class === "engine_unreachable") return problem(thing, error.message, reachEngine);
  if (error.class === "timeout") {
    const allows = o.spec.timeoutMs > o.timeoutMs ? ` (the check itself allows ${o.spec.timeoutMs} ms)` : "";
    return problem(
      thing,
      `no answer within ${o.timeoutMs} ms${allows}`,
      at
        ? `is ${at.host}:${at.port} up, and does a firewall let this machine reach it?`
        : `look at what ${key} reads`,
    );
  }
  return problem(thing, error.message, `check ${key}`);
}

/** The port a service's env gives it (`PORT`), when it sets one. */
function envPortOf(s: ServiceConfig): number | undefined {
  const raw = s.env.PORT;
  return raw !== undefined && /^\d{1,5}$/.test(raw) ? Number(raw) : undefined;
}

/** The local port a service's health check probes, when it probes one on this machine. */
function healthEndpoint(name: string, s: ServiceConfig): Endpoint | undefined {
  const found = s.health && probeOf(s.health);
  const plan = found && found.probe.doctor(found.settings);
  const at = plan && "try" in plan ? plan.endpoint : undefined;
  return at && isLocal(at.host) ? { ...at, key: `services.${name}.health.${at.field}` } : undefined;
}

/** The env's PORT, `port:` and the health check's port must agree; the env is what the service reads. */
export function portAgreement(name: string, s: ServiceConfig): Finding | undefined {
  const thing = `service ${name}`;
  const env = envPortOf(s);
  const health = healthEndpoint(name, s);
  const known = [
    env === undefined ? undefined : { label: `its env sets PORT=${env}`, port: env },
    s.port === undefined ? undefined : { label: `services.${name}.port is ${s.port}`, port: s.port },
    health ? { label: `the health check probes port ${health.port}`, port: health.port } : undefined,
  ].filter((k) => k !== undefined);
  if (known.length < 2) return undefined;
  if (known.every((k) => k.port === known[0]!.port)) return ok(thing, `ports agree (${known[0]!.port})`);
  const listens = env ?? s.port!;
  const fixes = [
    health && health.port !== listens ? `point ${health.key} at port ${listens}` : "",
    s.port !== undefined && s.port !== listens ? `set services.${name}.port to ${listens}` : "",
  ].filter(Boolean);
  return problem(
    thing,
    `${known.map((k) => k.label).join(", but ")}: the check will find nothing on the wrong port`,
    `${env === undefined ? `services.${name}.port says ${listens}` : `the service listens where its env says (${listens})`}: ${fixes.join(" and ")}`,
  );
}

async function checkService(name: string, s: ServiceConfig, spec: CheckSpec | undefined, ctx: DoctorContext) {
  const thing = `service ${name}`;
  const out: Finding[] = [];
  if (s.command) {
    const where = { cwd: s.cwd, searchPath: s.env.PATH ?? ctx.path, key: `services.${name}.command` };
    out.push(await checkProgram(thing, s.command, where));
    out.push(await checkFolder(thing, s.cwd, `services.${name}.cwd`));
  } else if (s.container) {
    out.push(await checkServiceContainer(thing, s.container.name, `services.${name}.container.name`, ctx));
  }
  const agreement = portAgreement(name, s);
  if (agreement) out.push(agreement);

  // A service the agent runs is only expected to be up while an agent runs.
  if (s.command && !ctx.agentRunning) {
    const holder = s.port === undefined ? undefined : findPortHolder(s.port);
    if (holder)
      out.push(
        problem(
          thing,
          `port ${s.port} is taken by ${holder.pid ? `pid ${holder.pid} ` : ""}(${holder.command}) while no agent runs`,
          `\`vigil up\` would find it taken: stop that process, or change services.${name}.port`,
        ),
      );
    out.push(skipped(thing, `not running: no agent is running to start it (\`vigil up\` does); not tried`));
    return out;
  }
  if (spec) out.push(...(await tryCheck(thing, spec, `services.${name}.health`, ctx, envPortOf(s))));
  else if (s.port !== undefined) {
    const r = await connect("127.0.0.1", s.port, ctx.timeoutMs);
    out.push(
      r.ok
        ? ok(thing, `port ${s.port} accepts connections`)
        : problem(
            thing,
            `port ${s.port} ${r.code === "ECONNREFUSED" ? "refused" : `failed (${r.code})`}: nothing listens there`,
            `is it running, and listening on ${s.port}? \`vigil logs ${name}\` shows its output`,
          ),
    );
  }
  return out;
}

/**
 * A container service's container must exist: Vigil starts and stops it, never creates it. Not
 * running is fine (the agent starts it); missing, or an engine that does not answer, is not.
 */
async function checkServiceContainer(thing: string, container: string, key: string, ctx: DoctorContext) {
  let engine: Engine;
  try {
    engine = engineFor(ctx.config.agent.docker.host);
  } catch (e) {
    return problem(thing, (e as Error).message, "set agent.docker.host to unix:///path/to/docker.sock");
  }
  try {
    const info = await engine.inspect(container, { timeoutMs: ctx.timeoutMs });
    return ok(thing, `container ${container} exists (${info.status})`);
  } catch (e) {
    if (isEngineError(e, "not_found"))
      return problem(
        thing,
        `no container named "${container}"`,
        `create it first (docker create, compose up): Vigil starts and stops a container, it never creates one; or fix ${key}`,
      );
    if (isEngineError(e, "unreachable") || isEngineError(e, "timeout"))
      return problem(thing, (e as Error).message, reachEngine);
    return problem(thing, (e as Error).message, `check ${key}`);
  }
}

/** One task per service and per check, in config order. */
export function targetTasks(ctx: DoctorContext): (() => Promise<Finding[]>)[] {
  const specs = new Map(targetPlans(ctx.config).map((p) => [`${p.kind}:${p.name}`, p.check]));
  return [
    ...Object.entries(ctx.config.services).map(
      ([name, s]) =>
        () =>
          checkService(name, s, specs.get(`service:${name}`), ctx),
    ),
    ...Object.keys(ctx.config.checks).map((name) => async () => {
      const spec = specs.get(`check:${name}`);
      return spec ? tryCheck(`check ${name}`, spec, `checks.${name}`, ctx) : [];
    }),
  ];
}
