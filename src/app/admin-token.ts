/**
 * The local admin token: written to `<data_dir>/admin.token` (mode 0600) at first start so the CLI on
 * this machine can talk to the agent without anyone copying a secret around. Read and written
 * through core/safe-file.ts: a link planted under that name is refused, never followed.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Logger } from "../core/log.ts";
import { readPrivate, writePrivate } from "../core/safe-file.ts";

export const adminTokenFile = (dataDir: string) => path.join(dataDir, "admin.token");

/** Shorter than this, the file is not a token the agent wrote: a new one replaces it. */
const minLength = 32;

export function ensureAdminToken(dataDir: string): string {
  const file = adminTokenFile(dataDir);
  const existing = readPrivate(file)?.trim();
  if (existing !== undefined && existing.length >= minLength) return existing;
  const token = randomBytes(32).toString("base64url");
  writePrivate(file, token + "\n");
  return token;
}

/**
 * At a reload: writes the running token back when the file is gone (someone deleted it, and the CLI
 * on this machine would get 401 until the next restart). A file that holds another token is left
 * as it is: the running token stays in force until a restart reads that file. Returns what it did.
 */
export function restoreAdminToken(dataDir: string, token: string): "present" | "restored" | "differs" {
  const file = adminTokenFile(dataDir);
  const existing = readPrivate(file)?.trim();
  if (existing === token) return "present";
  if (existing !== undefined && existing.length >= minLength) return "differs";
  writePrivate(file, token + "\n");
  return "restored";
}

/** At a reload: a deleted admin.token comes back, so the CLI here works again without a restart. */
export function restoreAdminTokenLogged(dataDir: string, token: string, log: Logger): void {
  try {
    const done = restoreAdminToken(dataDir, token);
    if (done === "restored") log.warn({ dir: dataDir }, "admin.token was missing; written again");
    if (done === "differs")
      log.warn({ dir: dataDir }, "admin.token holds another token; the running one stays until a restart");
  } catch (err) {
    log.error({ err, dir: dataDir }, "admin.token could not be written again");
  }
}
