/**
 * The instruction check: does a work order have every required section, each with something in it,
 * before an AI worker starts on it. Work orders arrive as Markdown, as `KEY:` lines or as YAML or
 * JSON; all are read, and the reading that finds more of the required sections is the answer.
 *
 * Owns: finding sections in text. Must not import: anything of the agent but core (the API, the CLI
 * and the MCP server call it alike).
 */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import { VigilError } from "../core/errors.ts";
import type { InstructionCheck } from "./types.ts";

/** Largest work order checked, in bytes of UTF-8: a work order is pages, not megabytes. */
export const maxInstructionBytes = 256 * 1024;

/**
 * What counts as nothing: a section holding only one of these (in any case, with list markers,
 * emphasis and trailing punctuation ignored) is empty, as is one with only whitespace or comments.
 * "none" is not here: "DEPENDENCIES: none" is an answer.
 */
const placeholders = new Set([
  "", "-", "--", "---", "—", "–", "...", "…", "?", "??", "???", "tbd", "tbc", "todo", "to do",
  "n/a", "na", "fill in", "placeholder", "xxx", "~", "null", "[]", "{}", "\"\"", "''",
]); // prettier-ignore

/** `Success-Criteria`, `success criteria`, `SUCCESS_CRITERIA` and `1. Success criteria` are one name. */
export function sectionKey(name: string): string {
  return name
    .trim()
    .replace(/^(\d+|[a-z])[.)]\s+/i, "")
    .replace(/[\s_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/**
 * Checks a work order for `sections` (by their configured names). Throws PAYLOAD_TOO_LARGE above
 * {@link maxInstructionBytes}.
 * @example checkInstruction("## Deliverables\nthe report\n", ["DELIVERABLES", "BOUNDARIES"])
 *   // → { ok: false, missing: ["BOUNDARIES"], empty: [], sections: { DELIVERABLES: "the report" } }
 */
export function checkInstruction(text: string, sections: readonly string[]): InstructionCheck {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxInstructionBytes) {
    throw new VigilError(
      "PAYLOAD_TOO_LARGE",
      `instruction: ${bytes} bytes, over the ${maxInstructionBytes / 1024} KB a work order may have; send the work order itself, not its attachments`,
    );
  }
  const wanted = [...new Map(sections.map((s) => [sectionKey(s), s])).entries()];
  const byLines = judge(wanted, readLines(text, new Set(wanted.map(([k]) => k))));
  if (byLines.ok) return byLines;
  const structured = readStructured(text);
  if (!structured) return byLines;
  const byKeys = judge(wanted, structured);
  return problems(byKeys) < problems(byLines) ? byKeys : byLines;
}

function problems(c: InstructionCheck): number {
  return c.missing.length + c.empty.length;
}

function judge(wanted: [string, string][], found: Map<string, string>): InstructionCheck {
  const check: InstructionCheck = { ok: true, missing: [], empty: [], sections: {} };
  for (const [key, name] of wanted) {
    const body = found.get(key);
    if (body === undefined) {
      check.missing.push(name);
      continue;
    }
    check.sections[name] = body;
    if (isEmpty(body)) check.empty.push(name);
  }
  check.ok = check.missing.length === 0 && check.empty.length === 0;
  return check;
}

/** Nothing but whitespace, comments and placeholders, on every line. */
export function isEmpty(body: string): boolean {
  return withoutComments(body)
    .split("\n")
    .every((line) => {
      const item = line.trim().replace(/^([-*+]|\d+[.)])\s+/, "");
      const bare = trimEnd(trimEnd(trimStart(item, "*_`"), "*_`"), ".:!")
        .trim()
        .toLowerCase();
      return placeholders.has(bare) || /^[-=*_]{3,}$/.test(bare);
    });
}

interface Start {
  key: string;
  /** Text on the same line, after the label. */
  rest: string;
  /** A Markdown heading's level; 7 for a label, which any heading ends. */
  level: number;
}

/*
 * A work order is anyone's text, up to 256 KB on one line: every pattern here is anchored at the
 * line's start and none leaves two runs to share the same characters at its end (`(.*?)\s*#*\s*$`
 * took minutes over a heading followed by spaces). Trailing characters are cut by trimEnd below,
 * and `.` matches any character (flag s), so the end of a line never sends a pattern back.
 */
const heading = /^ {0,3}(#{1,6})\s/;
const bold = /^\s*(?:[-*+]\s+)?(\*\*|__)(.+?)(\*\*|__)\s*:?\s*(.*)$/s;
const label = /^\s*([-*+]\s+)?([A-Za-z][\w \t-]{0,80}?)\s*:(?:\s+(.*))?$/s;

/**
 * `text` without its `<!-- -->` comments; an unclosed one stays. Found with indexOf, not with
 * /<!--[\s\S]*?-->/g, which went from every unclosed `<!--` to the end: 11 s over 256 KB of them.
 */
function withoutComments(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const open = text.indexOf("<!--", from);
    const close = open < 0 ? -1 : text.indexOf("-->", open + 4);
    // With no "-->" after this "<!--", there is none after a later one either.
    if (close < 0) return out + text.slice(from);
    out += text.slice(from, open);
    from = close + 3;
  }
}

/** `text` without the characters of `chars` at its start. */
function trimStart(text: string, chars: string): string {
  let i = 0;
  while (i < text.length && chars.includes(text[i]!)) i++;
  return text.slice(i);
}

/** `text` without the characters of `chars` at its end. */
function trimEnd(text: string, chars: string): string {
  let i = text.length;
  while (i > 0 && chars.includes(text[i - 1]!)) i--;
  return text.slice(0, i);
}

/** A heading's title: after its #s and spaces, without closing #s and the spaces around them. */
function headingTitle(line: string, marks: string): string {
  return trimEnd(line.trimStart().slice(marks.length).trimEnd(), "#").trim();
}

/** What a line starts, if anything: a heading (any), a bold label or a `KEY:` line naming a wanted section. */
function startOf(line: string, wanted: Set<string>): Start | { level: number; key?: undefined } | undefined {
  const h = heading.exec(line);
  if (h) {
    const key = sectionKey(trimEnd(trimStart(headingTitle(line, h[1]!), "*_"), "*_:"));
    return wanted.has(key) ? { key, rest: "", level: h[1]!.length } : { level: h[1]!.length };
  }
  const b = bold.exec(line);
  if (b) {
    const inner = b[2]!.trim();
    const key = sectionKey(inner.replace(/:$/, ""));
    if (wanted.has(key)) return { key, rest: b[4]!, level: 7 };
  }
  const l = label.exec(line);
  if (l) {
    const key = sectionKey(l[2]!);
    // A YAML block indicator (`key: |`) is not text; what follows is.
    if (wanted.has(key)) return { key, rest: (l[3] ?? "").replace(/^[|>][+-]?\d?\s*$/, ""), level: 7 };
    // Another capitalised `NOTES:` line starts a section of its own, which ends the one before; a
    // list item (`- API: the endpoint`) is content.
    if (!l[1] && /^[A-Z][A-Z0-9 _-]*$/.test(l[2]!.trim())) return { level: 7 };
  }
  return undefined;
}

/**
 * Sections by line: a wanted heading runs to the next heading of its level or above; a label (`KEY:`
 * or `**Key:**`) runs to the next heading, label or capitalised `OTHER:` line. Repeated sections
 * are joined.
 */
function readLines(text: string, wanted: Set<string>): Map<string, string> {
  const found = new Map<string, string[]>();
  let open: { key: string; level: number; lines: string[] } | undefined;
  const close = () => {
    if (!open) return;
    const body = open.lines.join("\n").trim();
    found.set(open.key, [...(found.get(open.key) ?? []), body]);
    open = undefined;
  };
  let fence = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const start = fence ? undefined : startOf(line, wanted);
    if (start && (!open || start.level <= open.level || start.key !== undefined || open.level === 7)) {
      close();
      if (start.key !== undefined) open = { key: start.key, level: start.level, lines: [start.rest] };
      continue;
    }
    open?.lines.push(line);
  }
  close();
  return new Map(
    [...found].map(([k, bodies]) => {
      const said = bodies.filter((b) => !isEmpty(b));
      return [k, (said.length > 0 ? said : bodies).join("\n\n").trim()];
    }),
  );
}

let yaml: typeof Yaml | undefined;

/**
 * The top-level keys of a YAML or JSON mapping (JSON is YAML), or undefined when the text is not
 * one. The `yaml` package is loaded the first time a work order needs it: the daemon otherwise never
 * holds it (its Node build is CommonJS, so `require` keeps this synchronous).
 */
function readStructured(text: string): Map<string, string> | undefined {
  const keyed = (line: string) => /^(\{|[\w"' -]+:)/.test(line.trimStart());
  if (!text.split("\n").some(keyed)) return undefined;
  yaml ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  let doc: unknown;
  try {
    doc = yaml.parse(text, { maxAliasCount: 100, uniqueKeys: false });
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return undefined;
  const found = new Map<string, string>();
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    found.set(sectionKey(k), render(v));
  }
  return found;
}

function render(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v.trim();
  if (Array.isArray(v)) return v.map((item) => `- ${render(item)}`).join("\n");
  // Numbers and booleans as JSON writes them; a mapping as JSON, which reads as the YAML it was.
  return typeof v === "object" ? JSON.stringify(v, null, 2) : JSON.stringify(v);
}
