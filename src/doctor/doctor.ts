/**
 * `vigil doctor`: tries every configured thing once and says what is wrong and how to fix it. It
 * works from the config alone, with or without a running agent, because it is what people run when
 * the agent will not start or will not stay green.
 *
 * Every lookup, connection and probe has a timeout, and at most `concurrency` run at once. Nothing
 * is executed: programs are looked for (exists and is executable), never run; execution only ever
 * goes through the gateway and the supervisor. Nothing is sent unless `send` is set.
 *
 * Owns: diagnosis. Must not import: api, cli.
 */
import type { VigilConfig } from "../config/schema.ts";
import { actionTasks } from "./actions.ts";
import { checkAgent, checkDataDir, checkStore } from "./agent.ts";
import { channelTasks } from "./channels.ts";
import { checkFleet } from "./fleet.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, problem } from "./finding.ts";
import { targetTasks } from "./targets.ts";

export interface DoctorOptions {
  config: VigilConfig;
  /** Where a running agent would answer (`$VIGIL_URL`, or agent.listen). */
  agentUrl: string;
  /** Send a real test message through every channel. */
  send?: boolean;
  timeoutMs?: number;
  concurrency?: number;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export interface DoctorReport {
  ok: boolean;
  problems: number;
  findings: Finding[];
}

export const defaultTimeoutMs = 3_000;
const defaultConcurrency = 8;

/** Runs the tasks, at most `limit` at a time; results keep the tasks' order. */
async function bounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A check that throws is a bug in the doctor, said as one finding rather than losing the report. */
function guarded(task: () => Promise<Finding[]>): () => Promise<Finding[]> {
  return () =>
    task().catch((e: unknown) => [
      problem(
        "doctor",
        `a check failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`,
        "report this as a bug",
      ),
    ]);
}

/**
 * @example const r = await diagnose({ config, agentUrl: "http://127.0.0.1:7070" }); r.findings.map(formatFinding)
 */
export async function diagnose(opts: DoctorOptions): Promise<DoctorReport> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  const agent = await checkAgent(opts.agentUrl, opts.config.agent.listen, timeoutMs);
  const ctx: DoctorContext = {
    config: opts.config,
    timeoutMs,
    agentRunning: agent.running,
    send: opts.send ?? false,
    path: (opts.env ?? process.env).PATH ?? "/usr/local/bin:/usr/bin:/bin",
    now: opts.now ?? Date.now,
  };
  const tasks = [
    () => checkDataDir(ctx),
    () => checkStore(ctx),
    () => checkFleet(ctx),
    ...targetTasks(ctx),
    ...actionTasks(ctx),
    ...channelTasks(ctx),
  ].map(guarded);
  const findings = [agent.finding, ...(await bounded(tasks, opts.concurrency ?? defaultConcurrency)).flat()];
  const problems = findings.filter((f) => f.verdict === "problem").length;
  return { ok: problems === 0, problems, findings };
}
