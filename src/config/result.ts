/** What loading a config gives: the config, or every problem with its place in the file. */
import type { VigilConfig } from "./schema.ts";

export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  /** `services.api.restart.window`; empty for a problem with the file as a whole. */
  path: string;
  message: string;
}

export type LoadResult =
  | { ok: true; config: VigilConfig; secrets: string[]; file: string }
  | { ok: false; problems: ConfigProblem[]; file: string };

/** `file:line:col key.path: message`, the format editors and CI annotate from. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.col}${p.path ? ` ${p.path}` : ""}: ${p.message}`;
}
