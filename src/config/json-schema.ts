/** The JSON Schema of vigil.yaml, generated from the zod schema: what editors validate against. */
import { z } from "zod";
import { configSchema } from "./schema.ts";

let cached: Record<string, unknown> | undefined;

export function configJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://vigil.dev/schema/vigil.schema.json",
    title: "vigil.yaml",
  };
  return cached;
}

let keys: Set<string> | undefined;

/** Every property name the schema knows, for "did you mean" hints. */
export function knownKeys(): Set<string> {
  if (keys) return keys;
  const found = new Set<string>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 40 || node === null || typeof node !== "object") return;
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) found.add(k);
    for (const v of Object.values(node)) walk(v, depth + 1);
  };
  walk(configJsonSchema(), 0);
  keys = found;
  return keys;
}
