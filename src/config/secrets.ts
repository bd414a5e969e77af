/**
 * Which values of a loaded config are secrets, for the redactor (core/redact.ts): the values of
 * secret-bearing keys (tokens, passwords, `Authorization` headers, an `api_key` in an env map), the
 * settings each provider declares as `secrets`, the password inside any URL, and the values a
 * remediate step passes to a parameter declared `secret: true`. Nothing else: a value is not a
 * secret because it came from the environment (`RT_APP=vigil` must not hide every "vigil").
 */
import { isSecretKey } from "../core/redact.ts";
import { providerOf } from "../notify/providers/index.ts";
import type { VigilConfig } from "./schema.ts";

const maxDepth = 16;

export function configuredSecrets(config: VigilConfig): string[] {
  const found = new Set<string>();
  const add = (value: string) => {
    if (value !== "") found.add(value);
  };
  const secretValue = (value: unknown, depth = 0): void => {
    if (depth > maxDepth) return;
    if (typeof value === "string") {
      add(value);
      // `Bearer <token>`: the credential alone may show up where the header does not.
      const credential = /^[A-Za-z][\w-]*\s+(\S{8,})$/.exec(value)?.[1];
      if (credential) add(credential);
    } else if (Array.isArray(value)) for (const v of value) secretValue(v, depth + 1);
    else if (value !== null && typeof value === "object")
      for (const v of Object.values(value)) secretValue(v, depth + 1);
  };
  const walk = (value: unknown, key: string, depth: number): void => {
    if (depth > maxDepth) return;
    if (isSecretKey(key)) secretValue(value);
    if (typeof value === "string") for (const p of urlPassword(value)) add(p);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, key, depth + 1));
    else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, k, depth + 1);
  };
  walk(config, "", 0);

  for (const channel of Object.values(config.notify.channels)) {
    const { provider, settings } = providerOf(channel);
    for (const name of provider.secrets) secretValue((settings as Record<string, unknown>)[name]);
  }

  const secretParams = (action: string) =>
    Object.entries(config.actions[action]?.params ?? {}).filter(([, p]) => p.secret);
  const targets = [...Object.values(config.services), ...Object.values(config.checks)];
  for (const t of targets) {
    for (const step of t.remediate) {
      if (typeof step === "string") continue;
      for (const [name] of secretParams(step.action)) {
        const v = step.params[name];
        if (v !== undefined) add(String(v));
      }
    }
  }
  for (const job of Object.values(config.jobs)) {
    for (const [name] of secretParams(job.action)) {
      const v = job.params[name];
      if (v !== undefined) add(String(v));
    }
  }
  return [...found];
}

/** The password inside `scheme://user:password@host`, as written and decoded; none when there is none. */
function urlPassword(value: string): string[] {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i.test(value)) return [];
  try {
    const raw = new URL(value).password;
    return raw === "" ? [] : [raw, decodeURIComponent(raw)];
  } catch {
    return [];
  }
}
