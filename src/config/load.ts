/**
 * Reads vigil.yaml: YAML → `${VAR}` interpolation → schema → cross-references. Every problem is
 * collected (never only the first) with its line and column in the file, so one `config check`
 * run shows everything to fix.
 */
import fs from "node:fs/promises";
import path from "node:path";
import jsyaml from "js-yaml";
import type { Document } from "yaml";
import type { z } from "zod";
import { typeReferences, type WholeReference } from "./env-types.ts";
import { aliasProblem, overBudget, valueBudget } from "./aliases.ts";
import { concealer, interpolate } from "./interpolate.ts";
import { formatPath, locate, yamlDocuments, type KeyPath } from "./locate.ts";
import { plannedAt, plannedMessage } from "./planned.ts";
import { withBaseDir } from "./primitives.ts";
import { checkRefs } from "./refs.ts";
import type { ConfigProblem, LoadResult } from "./result.ts";
import { configSchema } from "./schema.ts";
import { configuredSecrets } from "./secrets.ts";
import { isCommandPath, knownKeys } from "./json-schema.ts";

/** 10,000 checks take about 1 MB; anything near this is a mistake, not a config. */
const maxConfigBytes = 16_000_000;

/** @example const r = await loadConfig("vigil.yaml", process.env); if (!r.ok) r.problems.map(formatProblem) */
export async function loadConfig(file: string, env: NodeJS.ProcessEnv): Promise<LoadResult> {
  let text: string;
  try {
    const { size } = await fs.stat(file);
    if (size > maxConfigBytes) {
      const message = `the file is ${Math.round(size / 1e6)} MB; a config may be at most ${maxConfigBytes / 1e6} MB`;
      return { ok: false, file, problems: [{ file, line: 1, col: 1, path: "", message }] };
    }
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "no such file; pass the config with -c FILE or set VIGIL_CONFIG (examples/vigil.yaml is a start)"
        : `cannot read the file (${code ?? String(e)})`;
    return { ok: false, file, problems: [{ file, line: 1, col: 1, path: "", message }] };
  }
  return loadConfigText(text, file, env);
}

/**
 * Two paths: a fast one (js-yaml, ~20x quicker and lighter on a 10,000-check file) that is taken when
 * the config is valid, and the `yaml` Document path, which knows where every node sits, to report
 * the problems of an invalid one with their lines and columns. Both feed the same interpolation,
 * schema and cross-reference checks, so they accept exactly the same files.
 */
export function loadConfigText(text: string, file: string, env: NodeJS.ProcessEnv): LoadResult {
  return loadFast(text, file, env) ?? loadLocated(text, file, env);
}

export function loadFast(text: string, file: string, env: NodeJS.ProcessEnv): LoadResult | undefined {
  let raw: unknown;
  try {
    raw = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch {
    return undefined;
  }
  // js-yaml shares what an alias repeats; walking it expanded is what a "billion laughs" attacks.
  if (overBudget(raw, valueBudget(text.length))) return undefined;
  const { value, missing, whole } = interpolate(raw ?? {}, env, { isCommand: isCommandPath });
  if (missing.length > 0) return undefined;
  const { parsed, typeProblems } = parseTyped(file, value, whole);
  if (!parsed.success || typeProblems.length > 0 || checkRefs(parsed.data).length > 0) return undefined;
  return { ok: true, file, config: parsed.data, secrets: configuredSecrets(parsed.data) };
}

export function loadLocated(text: string, file: string, env: NodeJS.ProcessEnv): LoadResult {
  const { LineCounter, parseDocument } = yamlDocuments();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, keyPath: KeyPath, message: string): ConfigProblem => {
    const pos = lines.linePos(offset);
    return { file, line: pos.line, col: pos.col, path: formatPath(keyPath), message };
  };

  if (doc.errors.length > 0) {
    return { ok: false, file, problems: doc.errors.map((e) => at(e.pos[0], [], yamlMessage(e.message))) };
  }
  const bomb = aliasProblem(doc, valueBudget(text.length));
  if (bomb) return { ok: false, file, problems: [at(bomb.offset, bomb.path, bomb.message)] };

  let tree: unknown;
  try {
    // The alias budget above is the bound; yaml's own alias count would refuse plain reuse of an anchor.
    tree = doc.toJS({ maxAliasCount: -1 });
  } catch (e) {
    return { ok: false, file, problems: [at(0, [], yamlMessage((e as Error).message))] };
  }
  const { value, missing, uses, whole } = interpolate(tree ?? {}, env, { isCommand: isCommandPath });
  const conceal = concealer(uses);
  const hidden = (problems: ConfigProblem[]): ConfigProblem[] =>
    sortProblems(problems.map((p) => ({ ...p, message: conceal(p.message) })));
  const problems: ConfigProblem[] = missing.map((m) =>
    at(
      locate(doc, m.path),
      m.path,
      m.variable.startsWith("${")
        ? `"${m.variable}" is not a valid reference; write \${NAME}, \${NAME:-default}, or $\${ for a literal`
        : `the environment variable ${m.variable} is not set; export it, or write \${${m.variable}:-default}`,
    ),
  );

  const { parsed, typeProblems } = parseTyped(file, value, whole);
  // A missing variable already has its problem; the empty value it left would only repeat it.
  const unset = new Set(missing.map((m) => formatPath(m.path)));
  for (const t of typeProblems)
    if (!unset.has(formatPath(t.path))) problems.push(at(locate(doc, t.path), t.path, t.message));
  const typed = new Set(typeProblems.map((t) => formatPath(t.path)));
  if (!parsed.success) {
    problems.push(
      ...zodProblems(parsed.error.issues, doc, at).filter((p) => !unset.has(p.path) && !typed.has(p.path)),
    );
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, file, problems: hidden(problems) };

  for (const p of checkRefs(parsed.data)) problems.push(at(locate(doc, p.path, p.atKey), p.path, p.message));
  if (problems.length > 0) return { ok: false, file, problems: hidden(problems) };

  // Only reached if js-yaml refused a file that yaml accepts (a YAML corner where the two differ).
  return { ok: true, file, config: parsed.data, secrets: configuredSecrets(parsed.data) };
}

/**
 * The schema's parse, after typing the whole `${VAR}` references it refused as strings where a
 * boolean or a number is wanted (env-types.ts). Bounded: one retype, one more parse.
 */
function parseTyped(file: string, value: unknown, whole: readonly WholeReference[]) {
  const parse = (v: unknown) =>
    withBaseDir(path.dirname(path.resolve(file)), () => configSchema.safeParse(v, { reportInput: true }));
  const first = parse(value);
  const typed = first.success ? undefined : typeReferences(value, whole, first.error.issues);
  if (!typed) return { parsed: first, typeProblems: [] };
  return { parsed: typed.value === value ? first : parse(typed.value), typeProblems: typed.problems };
}

function yamlMessage(message: string): string {
  const first = message.split("\n")[0] ?? message;
  return `YAML syntax: ${first.replace(/ at line \d+, column \d+:?$/, "")}`;
}

type At = (offset: number, path: KeyPath, message: string) => ConfigProblem;

function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  at: At,
  prefix: KeyPath = [],
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  // A planned key says what the object is (`checks.x.sql`, `actions.x.backup`): "say what to check with
  // one of ..." about the same object would only repeat it.
  const typed = new Set(
    issues.flatMap((i) =>
      i.code === "unrecognized_keys" && i.keys.some((k) => plannedAt([...prefix, ...i.path, k]))
        ? [formatPath([...prefix, ...i.path])]
        : [],
    ),
  );
  for (const issue of issues) {
    const p = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const soon = plannedAt([...p, key]);
        const near = closest(key);
        out.push(
          at(
            locate(doc, [...p, key], true),
            [...p, key],
            soon ? plannedMessage(soon) : `unknown key "${key}"${near ? `; did you mean "${near}"?` : ""}`,
          ),
        );
      }
    } else if (issue.code === "custom" && typed.has(formatPath(p))) {
      continue;
    } else if (issue.code === "invalid_union") {
      // Report the branch that got furthest; if every branch failed on the type alone, say what types fit.
      const branches = issue.errors.filter(
        (b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0),
      );
      const best = branches.sort((a, b) => a.length - b.length)[0];
      if (best) out.push(...zodProblems(best, doc, at, p));
      else {
        const expected = issue.errors.flatMap((b) =>
          b.map((i) => (i.code === "invalid_type" ? i.expected : "")).filter(Boolean),
        );
        out.push(at(locate(doc, p), p, `expected ${[...new Set(expected)].join(" or ")}`));
      }
    } else if (issue.code === "invalid_type" && issue.input === undefined) {
      out.push(at(locate(doc, p), p, `required; add ${String(p.at(-1))}: (${issue.expected})`));
    } else {
      out.push(at(locate(doc, p), p, issue.message));
    }
  }
  return out;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** A known key within two edits of a misspelt one. */
function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of knownKeys()) {
    const d = editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 3;
}
