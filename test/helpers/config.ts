/**
 * A config loaded from text in-process, as if from /etc/vigil/vigil.yaml: its problems as a person
 * reads them (`file:line:col path: message`), or the loaded result.
 */
import { loadConfigText } from "../../src/config/load.ts";
import { formatProblem, type LoadResult } from "../../src/config/result.ts";

export const file = "/etc/vigil/vigil.yaml";

export function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const r = loadConfigText(text, file, env);
  if (r.ok) throw new Error("expected problems, the config loaded");
  return r.problems.map(formatProblem);
}

export function load(text: string, env: NodeJS.ProcessEnv = {}): Extract<LoadResult, { ok: true }> {
  const r = loadConfigText(text, file, env);
  if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
  return r;
}
