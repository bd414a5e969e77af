/**
 * The config reference in README.md, generated from the JSON Schema (itself generated from the zod
 * schema), so the documentation cannot drift from what the loader accepts. A test compares them.
 */
import { wholeReference } from "./env-types.ts";
import { configJsonSchema } from "./json-schema.ts";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  "x-kind"?: string;
  pattern?: string;
  required?: string[];
}

export function configReference(): string {
  const rows: string[] = ["| key | type | default | notes |", "| --- | --- | --- | --- |"];
  /** `inPlanned`: a key inside a planned one (src/config/planned.ts) is marked planned too. */
  const walk = (
    node: JsonSchema,
    path: string,
    required: boolean,
    depth: number,
    inPlanned: boolean,
  ): void => {
    if (depth > 12) return;
    // An object that takes no keys (`approvals: {}`) is a leaf: without a row it would not appear.
    const objectLike = node.properties !== undefined && Object.keys(node.properties).length > 0;
    const isPlanned = planned.test(node.description ?? "");
    // A section has no row of its own, unless it has something to say (a planned one does).
    if (path && (!objectLike || isPlanned)) {
      const note = inPlanned && !isPlanned ? `Planned. ${notes(node)}`.trim() : notes(node);
      rows.push(`| \`${path}\` | ${typeOf(node)} | ${defaultOf(node, required)} | ${escape(note)} |`);
    }
    const inner = inPlanned || isPlanned;
    if (node.properties) {
      for (const [k, v] of Object.entries(node.properties))
        walk(v, path ? `${path}.${k}` : k, node.required?.includes(k) ?? false, depth + 1, inner);
    } else if (typeof node.additionalProperties === "object" && node.additionalProperties.properties) {
      walk(node.additionalProperties, `${path}.<name>`, false, depth + 1, inner);
    } else if (node.items?.properties) {
      walk(node.items, `${path}[]`, false, depth + 1, inner);
    }
  };
  walk(configJsonSchema(), "", false, 0, false);
  return `${rows.join("\n")}\n`;
}

/** How the schema marks a key that is accepted in shape and refused at load (src/config/planned.ts). */
const planned = /^Planned: /;

function typeOf(node: JsonSchema): string {
  if (node.enum) return node.enum.map((v) => `\`${JSON.stringify(v).replace(/^"|"$/g, "")}\``).join(" \\| ");
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  // The `${VAR}` a boolean or number also takes is said once in prose, not on every row.
  if (node.anyOf)
    return node.anyOf
      .filter((b) => b.pattern !== wholeReference.source)
      .map(typeOf)
      .join(" \\| ");
  if (node["x-kind"]) return node["x-kind"];
  if (node.type === "array") return `list of ${node.items ? typeOf(node.items) : "any"}`;
  if (node.type === "object")
    return node.properties && Object.keys(node.properties).length === 0 ? "`{}`" : "map";
  return Array.isArray(node.type) ? node.type.join(" \\| ") : (node.type ?? "any");
}

function defaultOf(node: JsonSchema, required: boolean): string {
  if (node.default !== undefined) {
    const d = node.default;
    if (typeof d === "object" && d !== null && Object.keys(d).length === 0) return "";
    return `\`${JSON.stringify(d)}\``;
  }
  return required ? "**required**" : "";
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Durations and sizes say what they are in the type column already. */
function notes(node: JsonSchema): string {
  const d = node.description ?? "";
  return /^(duration|size):|^argv list|^relative to the config/.test(d) &&
    node["x-kind"] !== undefined &&
    node["x-kind"] !== "path"
    ? ""
    : d;
}
