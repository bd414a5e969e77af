/**
 * `${NAME}` reads an environment variable, `${NAME:-fallback}` gives a default, `$${` writes a literal
 * `${`. Done on the parsed values (never on the raw text), so a value cannot inject YAML structure;
 * keys are left alone. Every value taken from the environment is remembered as a secret to redact.
 */

export interface Missing {
  /** The variable's name, or the malformed reference as written. */
  variable: string;
  path: (string | number)[];
}

export interface Interpolated {
  value: unknown;
  missing: Missing[];
  secrets: string[];
}

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;
const maxDepth = 64;

export function interpolate(root: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const missing: Missing[] = [];
  const secrets: string[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (path.length > maxDepth) return value;
    if (typeof value === "string") {
      if (!value.includes("${")) return value;
      return value.replace(reference, (whole, name?: string, fallback?: string, bad?: string) => {
        if (whole === "$${") return "${";
        if (name === undefined) {
          missing.push({ variable: bad === undefined ? whole : `\${${bad}}`, path });
          return whole;
        }
        const found = env[name];
        if (found === undefined || found === "") {
          if (fallback !== undefined) return fallback;
          missing.push({ variable: name, path });
          return "";
        }
        secrets.push(found);
        return found;
      });
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  };
  return { value: walk(root, []), missing, secrets };
}
