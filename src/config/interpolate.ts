/**
 * `${NAME}` reads an environment variable, `${NAME:-fallback}` gives a default, `$${` writes a literal
 * `${`. Done on the parsed YAML scalars (never on the raw text), so a value cannot inject YAML
 * structure. Every value taken from the environment is remembered as a secret to redact.
 */
import { isPair, isScalar, isSeq, visit, type Document } from "yaml";

export interface Missing {
  variable: string;
  /** Offset of the scalar in the source text. */
  offset: number;
  path: (string | number)[];
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

export function interpolate(
  doc: Document,
  env: NodeJS.ProcessEnv,
): { missing: Missing[]; secrets: string[] } {
  const missing: Missing[] = [];
  const secrets: string[] = [];
  visit(doc, {
    Scalar(key, node, ancestry) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("${")) return;
      const path = pathOf([...ancestry, node]);
      node.value = node.value.replace(reference, (whole, name?: string, fallback?: string, bad?: string) => {
        if (whole === "$${") return "${";
        if (name === undefined) {
          missing.push({ variable: bad ?? whole, offset: node.range?.[0] ?? 0, path });
          return whole;
        }
        const value = env[name];
        if (value === undefined || value === "") {
          if (fallback !== undefined) return fallback;
          missing.push({ variable: name, offset: node.range?.[0] ?? 0, path });
          return "";
        }
        secrets.push(value);
        return value;
      });
    },
  });
  return { missing, secrets };
}

/** The key path of a node from the visitor's ancestry (maps by key, sequences by index). */
function pathOf(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const node = chain[i];
    const next = chain[i + 1];
    if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
    else if (isSeq(node)) {
      const index = node.items.indexOf(next);
      if (index >= 0) path.push(index);
    }
  }
  return path;
}
