/** The JSON Schema of vigil.yaml, generated from the zod schema: what editors validate against. */
import { z } from "zod";
import { wholeReference } from "./env-types.ts";
import { configSchema } from "./schema.ts";

let cached: Record<string, unknown> | undefined;

export function configJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any", override: typedFromEnv }),
    $id: "https://vigil.dev/schema/vigil.schema.json",
    title: "vigil.yaml",
  };
  return cached;
}

/** A boolean or a number may be written as one whole `${VAR}` (env-types.ts): editors must not flag it. */
function typedFromEnv(ctx: { jsonSchema: Record<string, unknown> }): void {
  const js = ctx.jsonSchema;
  if (js.type !== "boolean" && js.type !== "number" && js.type !== "integer") return;
  const own = { ...js };
  for (const k of Object.keys(js)) delete js[k];
  js.anyOf = [own, { type: "string", pattern: wholeReference.source }];
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

type SchemaNode = Record<string, unknown>;
const isNode = (v: unknown): v is SchemaNode => v !== null && typeof v === "object" && !Array.isArray(v);

/** A node and every branch it may take (`anyOf`, `oneOf`, `allOf`, a `$ref` into `$defs`). */
function branches(node: SchemaNode, depth = 0): SchemaNode[] {
  if (depth > 20) return [node];
  const out = [node];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = node[key];
    if (Array.isArray(list)) for (const b of list) if (isNode(b)) out.push(...branches(b, depth + 1));
  }
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const target = (configJsonSchema().$defs as Record<string, unknown> | undefined)?.[ref.slice(8)];
    if (isNode(target)) out.push(...branches(target, depth + 1));
  }
  return out;
}

/**
 * Whether the value at `path` of vigil.yaml is a command (an argv primitive), read from the JSON
 * Schema so that a command in any plug-in's settings is found without naming it here.
 */
export function isCommandPath(path: readonly (string | number)[]): boolean {
  let nodes: SchemaNode[] = [configJsonSchema()];
  for (const seg of path) {
    const next: SchemaNode[] = [];
    for (const n of nodes.flatMap((x) => branches(x))) {
      const props = n.properties;
      if (typeof seg === "string" && isNode(props) && isNode(props[seg])) next.push(props[seg]);
      else if (typeof seg === "string" && isNode(n.additionalProperties)) next.push(n.additionalProperties);
      if (typeof seg === "number" && isNode(n.items)) next.push(n.items);
    }
    if (next.length === 0) return false;
    nodes = next;
  }
  return nodes.flatMap((x) => branches(x)).some((n) => n["x-kind"] === "command");
}
