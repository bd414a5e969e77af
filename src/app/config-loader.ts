/**
 * The agent's way to load its config: in a short-lived child process (`config/load-child.ts`), run
 * through the gateway's execution module like every other program. The child returns the validated
 * config as JSON; the daemon itself never loads zod or the YAML parsers.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatProblem, type LoadResult } from "../config/result.ts";
import type { VigilConfig } from "../config/schema.ts";
import { execArgv } from "../gateway/exec.ts";

/** A config may be 16 MB of YAML; as JSON with every default filled in it stays well under this. */
const maxOutputBytes = 256 * 1024 * 1024;
/** 10,000 checks load in well under a second; this is for a machine under heavy load. */
const timeoutMs = 60_000;

/** The child's entry beside this build: `.js` under dist/, `.ts` when the sources run directly. */
const childEntry = fileURLToPath(
  new URL(`../config/load-child${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** @example const r = await loadConfigIsolated("vigil.yaml", process.env); if (!r.ok) ... */
export async function loadConfigIsolated(file: string, env: NodeJS.ProcessEnv): Promise<LoadResult> {
  const r = await execArgv({
    argv: [process.execPath, "--max-old-space-size=1024", childEntry, file],
    // The whole environment: the config interpolates ${VAR} from it, as an in-process load would.
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    timeoutMs,
    maxOutputBytes,
  });
  const failed = (why: string): LoadResult => ({
    ok: false,
    file,
    problems: [{ file, line: 1, col: 1, path: "", message: `the config could not be loaded: ${why}` }],
  });
  if (r.spawnError) return failed(`${r.spawnError} (starting ${process.execPath})`);
  if (r.timedOut) return failed(`loading took longer than ${timeoutMs / 1000} s`);
  if (r.truncated) return failed(`the loaded config is larger than ${maxOutputBytes / 1024 / 1024} MB`);
  if (r.exitCode !== 0) {
    const last = r.stderr.trim().split("\n").pop() ?? "";
    return failed(`the loader exited with ${r.exitCode ?? r.signal}${last ? `: ${last.slice(0, 300)}` : ""}`);
  }
  try {
    return JSON.parse(r.stdout) as LoadResult;
  } catch {
    return failed("the loader's answer is not JSON");
  }
}

/** Keys that only take effect at start; a reload that changes them is refused with this reason. */
const startOnly = ["name", "listen", "data_dir", "store", "log_level", "max_concurrent_checks"] as const;

/**
 * The config a reload would apply, or every problem that refuses it: what does not load, and what
 * only a start applies (compared with `current()` once the file is loaded).
 */
export async function loadForReload(
  file: string,
  env: NodeJS.ProcessEnv,
  current: () => VigilConfig,
): Promise<{ ok: true; config: VigilConfig; secrets: string[] } | { ok: false; problems: string[] }> {
  const result = await loadConfigIsolated(file, env);
  if (!result.ok) return { ok: false, problems: result.problems.map(formatProblem) };
  const problems = startOnlyChanges(file, result.config, current());
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: result.config, secrets: result.secrets };
}

/** What a reload to `next` would change that only a restart applies, as problems naming each key. */
export function startOnlyChanges(file: string, next: VigilConfig, current: VigilConfig): string[] {
  return startOnly
    .filter((k) => next.agent[k] !== current.agent[k])
    .map((k) => `${file}: agent.${k} changed; it takes effect only at start: restart the agent to apply it`);
}
