/**
 * Which checks a fleet shares. A shared check (`run_on: any`, the default for http, tcp, dns and
 * sql) runs on one live agent among those that configure it. Each agent publishes a hash of each
 * shared check's definition with its lease renewal, for the others to compare (disagreements.ts).
 *
 * Owns: which checks are shared, and the definition hash. Must not import: app/, api/.
 */
import { createHash } from "node:crypto";
import type { CheckConfig, VigilConfig } from "../config/schema.ts";
import { probeOf } from "../probes/index.ts";

/** Whether the check may run on any live agent of a fleet (`run_on`, or its probe type's default). */
export function runsShared(c: CheckConfig): boolean {
  if (c.run_on) return c.run_on === "any";
  return probeOf(c)?.probe.shared === "default";
}

/**
 * Each shared check's definition as a short hash, by name. The config's secrets (config/secrets.ts,
 * found where the config is loaded) are masked before hashing: the hashes are in the store for
 * every agent to read, and a hash of a short password can be guessed.
 */
export function sharedDefinitions(config: VigilConfig, secrets: readonly string[]): Record<string, string> {
  const mask = (v: string) => secrets.reduce((s, secret) => s.split(secret).join("<secret>"), v);
  const out: Record<string, string> = {};
  for (const [name, c] of Object.entries(config.checks)) {
    if (!runsShared(c)) continue;
    out[name] = createHash("sha256").update(canonical(c, mask)).digest("hex").slice(0, 12);
  }
  return out;
}

/** JSON with sorted keys: the same definition hashes the same whatever order it was written in. */
function canonical(v: unknown, mask: (s: string) => string): string {
  if (typeof v === "string") return JSON.stringify(mask(v));
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, mask)).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).sort();
    const obj = v as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], mask)}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
