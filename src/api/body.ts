/** Request bodies: JSON only, checked by a `shape` of `fields.ts`, errors naming the field. */
import { VigilError } from "../core/errors.ts";
import type { FieldProblem } from "./fields.ts";
import type { ApiContext } from "./router.ts";

export async function readJson<T>(
  c: ApiContext,
  check: (body: unknown) => { value: T } | { problems: FieldProblem[] },
): Promise<T> {
  const text = await c.req.text();
  // The body was decoded with replacement: bytes that are not UTF-8 arrive as U+FFFD. Refused, so a
  // parameter never reaches a program changed from what was sent.
  if (text.includes("\uFFFD")) {
    throw new VigilError(
      "BAD_REQUEST",
      "the body is not valid UTF-8; send UTF-8 JSON (write the character U+FFFD itself as \\ufffd)",
    );
  }
  let value: unknown = {};
  if (text.trim() !== "") {
    const type = c.req.header("content-type") ?? "";
    if (!/^application\/json\b/i.test(type)) {
      throw new VigilError(
        "UNSUPPORTED_MEDIA_TYPE",
        "send the body as JSON with Content-Type: application/json",
      );
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw notJson(e);
    }
  }
  const checked = check(value);
  if ("problems" in checked) {
    const first = checked.problems[0]!;
    throw new VigilError("VALIDATION_FAILED", `${first.path}: ${first.message}`, {
      details: checked.problems,
    });
  }
  return checked.value;
}

/**
 * A body JSON.parse refused: where it broke (never the text around it, which may hold a secret) and
 * what to send instead.
 */
export function notJson(e: unknown): VigilError {
  const at = /at position \d+(?: \(line \d+ column \d+\))?/.exec(String((e as Error)?.message))?.[0];
  return new VigilError(
    "BAD_REQUEST",
    `body: not valid JSON${at ? ` (${at})` : ""}; send one JSON object with the route's fields, e.g. {"name": "value"}, double-quoted`,
  );
}

/** A non-negative integer query parameter with bounds, or a 400 naming it. */
export function queryInt(c: ApiContext, name: string, fallback: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new VigilError(
      "VALIDATION_FAILED",
      `${name}: must be a whole number from 0 to ${max}, got "${raw.slice(0, 40)}"`,
    );
  }
  return Math.min(Number(raw), max);
}

/** A path parameter of the route (`:name`), bounded so an error message cannot echo a huge value. */
export function pathParam(c: ApiContext, name: string): string {
  const value = c.req.param(name);
  if (value === undefined || value === "") throw new VigilError("BAD_REQUEST", `the path needs a ${name}`);
  if (value.length > 200) throw new VigilError("VALIDATION_FAILED", `${name}: at most 200 characters`);
  return value;
}

/** An optional query parameter that must be one of `values`, or a 400 naming it and them. */
export function queryEnum<T extends string>(
  c: ApiContext,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new VigilError(
      "VALIDATION_FAILED",
      `${name}: one of ${values.join(", ")}, got "${raw.slice(0, 40)}"`,
    );
  }
  return raw as T;
}
