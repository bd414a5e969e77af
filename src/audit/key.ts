/**
 * The audit MAC key: 32 random bytes in `<data_dir>/audit.key` (mode 0600), made at the first start.
 * It never enters the database, so whoever can write the database but cannot read this file cannot
 * write a row that verifies, even after recomputing every hash of the chain.
 *
 * A row's MAC is `<key id>:<HMAC-SHA256(key, row hash), first 128 bits in hex>`. The hash already
 * covers the row and its link to the one before, so MACing the hash MACs both. The key id (8 hex of
 * an HMAC of a fixed text, nothing of the key itself) tells which key wrote a row: agents sharing
 * a PostgreSQL store each have their own.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import path from "node:path";
import { VigilError } from "../core/errors.ts";
import { readPrivate, writePrivate } from "../core/safe-file.ts";

export const auditKeyFile = (dataDir: string) => path.join(dataDir, "audit.key");

const keyBytes = 32;
const macHexChars = 32;

/** How a row's MAC compares with this key ("unchecked": its key id is this key's; the HMAC was not asked for). */
export type MacCheck = "ok" | "mismatch" | "other-key" | "unchecked";

export class AuditKey {
  /** Names the key in each row's MAC; says nothing about the key. */
  readonly id: string;
  /** A KeyObject: HMAC with one is about 8x faster than with a Buffer, which is re-imported per call. */
  readonly #key: KeyObject;

  constructor(raw: Buffer) {
    this.#key = createSecretKey(raw);
    this.id = this.sign("vigil audit key id").slice(0, 8);
  }

  /** The MAC stored with a row whose hash is `rowHash`. */
  mac(rowHash: string): string {
    return `${this.id}:${this.sign(rowHash).slice(0, macHexChars)}`;
  }

  /** `hmac: false` only compares the key id: for rows an anchor already proves. */
  check(mac: string, rowHash: string, hmac = true): MacCheck {
    if (!mac.startsWith(`${this.id}:`)) return "other-key";
    if (!hmac) return "unchecked";
    return sameText(mac, this.mac(rowHash)) ? "ok" : "mismatch";
  }

  /** The full HMAC of any text, in hex (the anchor file signs its fields with it). */
  sign(text: string): string {
    return createHmac("sha256", this.#key).update(text).digest("hex");
  }
}

/** Constant-time, so timing a verify cannot guess a MAC one character at a time. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key in `dataDir`, or undefined when there is none. A file that is not a key is refused. */
export function readAuditKey(dataDir: string): AuditKey | undefined {
  const file = auditKeyFile(dataDir);
  const text = readPrivate(file)?.trim();
  if (text === undefined) return undefined;
  const raw = Buffer.from(text, "base64url");
  if (raw.length !== keyBytes || raw.toString("base64url") !== text) {
    throw new VigilError(
      "AUDIT_TAMPERED",
      `${file} is not an audit key (${keyBytes} random bytes in base64url); restore it from a backup of agent.data_dir, or move it away and start with --accept-audit-reset`,
    );
  }
  return new AuditKey(raw);
}

/** Makes a new key in `dataDir` (written atomically, 0600) and returns it. */
export function createAuditKey(dataDir: string): AuditKey {
  const raw = randomBytes(keyBytes);
  writePrivate(auditKeyFile(dataDir), raw.toString("base64url") + "\n");
  return new AuditKey(raw);
}
