/**
 * Runs every check on the scheduler: take the probe's reading, judge it by the conditions, hand the
 * result to the targets. Failing targets are checked at `every_failing`.
 *
 * Owns: the check loop. Must not import: api, cli, app, supervisor.
 */
import { evaluateAll, type Condition } from "../conditions/index.ts";
import type { Logger } from "../core/log.ts";
import type { Observation } from "../incidents/target-state.ts";
import type { Probe, ProbeEnvironment } from "../probes/probe.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import type { ResultsWriter } from "./results-writer.ts";
import type { LastResult, Targets } from "./targets.ts";

export interface CheckSpec {
  target: string;
  probe: Probe<unknown>;
  probeConfig: unknown;
  conditions: readonly Condition[];
  everyMs: number;
  everyFailingMs: number;
  timeoutMs: number;
  jitterMs: number;
}

type Outcome = Awaited<ReturnType<Probe["run"]>>;

/** Whether to check now: `skip` (a stopped service), `young` (inside start_period: failures ignored). */
export type Gate = "run" | "skip" | "young";

export interface MonitorOptions {
  scheduler: Scheduler;
  targets: Targets;
  results: ResultsWriter;
  env: ProbeEnvironment;
  log: Logger;
  gate(target: string): Gate;
  /** After a result is applied, for the caller to act on (a service's health going down). */
  onObservation(target: string, o: Observation, r: LastResult): Promise<void>;
  /** Every result, changed or not (metrics count them; the audit log keeps only changes). */
  onResult?(spec: CheckSpec, r: LastResult): void;
}

const failingStates = new Set(["down", "degraded", "flapping", "failed"]);

export class Monitor {
  readonly #o: MonitorOptions;
  #specs = new Map<string, CheckSpec>();

  constructor(opts: MonitorOptions) {
    this.#o = opts;
  }

  /** Replaces the set of checks: new ones scheduled, gone ones removed, changed ones rescheduled. */
  set(specs: readonly CheckSpec[]): void {
    const next = new Map(specs.map((s) => [s.target, s]));
    for (const name of this.#specs.keys()) {
      if (!next.has(name)) this.#o.scheduler.remove(name);
    }
    for (const spec of next.values()) {
      if (this.#specs.get(spec.target) === spec && this.#o.scheduler.has(spec.target)) continue;
      this.#o.scheduler.remove(spec.target);
      this.#o.scheduler.add({
        id: spec.target,
        jitterMs: spec.jitterMs,
        timeoutMs: spec.timeoutMs,
        interval: () => (this.#failing(spec.target) ? spec.everyFailingMs : spec.everyMs),
        run: (signal) => this.#check(spec, signal),
      });
    }
    this.#specs = next;
  }

  /**
   * A failing state, or a failed last result in any state (a service still `starting`, a check still
   * `unknown`): either way the next answer is wanted sooner, or `fail_after` takes `every` x N.
   */
  #failing(target: string): boolean {
    return failingStates.has(this.#o.targets.state(target) ?? "") || this.#o.targets.lastFailed(target);
  }

  /** Checks a target as soon as a slot is free. */
  runSoon(target: string): void {
    this.#o.scheduler.runSoon(target);
  }

  async #check(spec: CheckSpec, signal: AbortSignal): Promise<void> {
    const gate = this.#o.gate(spec.target);
    if (gate === "skip") return;
    const ts = this.#o.env.clock.now();
    const started = performance.now();
    const outcome = await spec.probe.run(spec.probeConfig, {
      target: spec.target,
      timeoutMs: spec.timeoutMs,
      signal,
      env: this.#o.env,
    });
    if (signal.aborted && signal.reason instanceof Error && /stopping|removed/.test(signal.reason.message))
      return;
    const duration = Math.round(performance.now() - started);
    if (spec.probe.group) {
      await this.#group(spec, outcome, ts, duration);
      return;
    }
    const result = judge(spec, outcome, ts, duration);
    this.#o.onResult?.(spec, result);
    await this.#apply(spec.target, result, gate === "young");
  }

  /**
   * A group check's reading: the check's own target says whether the group could be read; each
   * member is judged as its own target, new ones declared, gone ones forgotten. No reading at all
   * (the engine away) is each known member's result too: none of them can be checked.
   */
  async #group(spec: CheckSpec, outcome: Outcome, ts: number, duration: number): Promise<void> {
    const own: LastResult = outcome.error
      ? {
          ts,
          ok: false,
          duration_ms: duration,
          failure_class: outcome.error.class,
          explanation: outcome.error.message,
        }
      : { ts, ok: true, duration_ms: duration, explanation: `ok: ${outcome.members?.length ?? 0} members` };
    this.#o.onResult?.(spec, own);
    await this.#apply(spec.target, own, false);
    const known = this.#o.targets.members(spec.target);
    if (!outcome.members) {
      for (const name of known) await this.#apply(name, own, false);
      return;
    }
    const seen = new Set<string>();
    for (const m of outcome.members) {
      const name = `${spec.target}/${m.name}`;
      if (seen.has(name)) continue;
      seen.add(name);
      this.#o.targets.addMember(spec.target, name);
      await this.#apply(name, judge(spec, m, ts, duration), false);
    }
    for (const name of known) if (!seen.has(name)) await this.#o.targets.removeMember(name);
  }

  async #apply(target: string, result: LastResult, young: boolean): Promise<void> {
    this.#o.results.add({
      target,
      ts: result.ts,
      ok: result.ok,
      duration_ms: result.duration_ms,
      summary: JSON.stringify({ c: result.failure_class, e: result.ok ? undefined : result.explanation }),
    });
    const o = await this.#o.targets.result(target, result, young);
    if (o) await this.#o.onObservation(target, o, result);
  }
}

/** A reading judged by the check's conditions; no reading is its error. */
function judge(
  spec: CheckSpec,
  outcome: Pick<Outcome, "values" | "error">,
  ts: number,
  duration: number,
): LastResult {
  if (outcome.error) {
    return {
      ts,
      ok: false,
      duration_ms: duration,
      failure_class: outcome.error.class,
      explanation: outcome.error.message,
    };
  }
  const judged = evaluateAll(spec.conditions, outcome.values);
  const failed = judged.results.filter((r) => !r.ok);
  return {
    ts,
    ok: judged.ok,
    duration_ms: duration,
    ...(judged.ok ? {} : { failure_class: classOf(outcome.values) }),
    explanation: judged.ok ? "ok" : failed.map((r) => r.explanation).join("; "),
  };
}

/** A reading was taken but a condition failed: an HTTP status says more than "condition failed". */
function classOf(values: Record<string, unknown>): LastResult["failure_class"] {
  const status = values.STATUS;
  if (typeof status === "number") {
    if (status >= 500) return "http_5xx";
    if (status >= 400) return "http_other";
  }
  if ("USED_PERCENT" in values || "RSS_MB" in values) return "resource_threshold";
  // a container that is not running has exited, whatever condition said so
  if ("OOM_KILLED" in values && values.RUNNING === false) return "process_exited";
  return "condition_failed";
}
