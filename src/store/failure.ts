/**
 * Which database errors mean "the store cannot be used right now" rather than a bug: a full disk, an
 * I/O error, a read-only file, a lock held too long, a PostgreSQL server that is gone or out of
 * resources. Each becomes STORE_UNAVAILABLE (503, retryable) with the real cause in its message,
 * where the driver fails, so no caller has to parse driver messages and none reports it as a bug.
 * Messages name the cause and the fix, never the store's path or URL (an API caller sees them).
 */
import fs from "node:fs";
import { isVigilError, VigilError } from "../core/errors.ts";

/** SQLite primary result codes (the low byte of an extended code) that say the store is unusable now. */
const sqliteCodes: Record<number, { name: string; fix: string }> = {
  5: { name: "SQLITE_BUSY", fix: "another process holds the database locked; stop it" },
  6: { name: "SQLITE_LOCKED", fix: "another process holds the database locked; stop it" },
  8: { name: "SQLITE_READONLY", fix: "make the database file writable by the agent's user" },
  10: { name: "SQLITE_IOERR", fix: "check the disk under agent.data_dir (dmesg)" },
  13: { name: "SQLITE_FULL", fix: "free space on the filesystem of agent.data_dir" },
  14: { name: "SQLITE_CANTOPEN", fix: "check that agent.data_dir exists and the agent's user can write it" },
};

/** File-system errors with the same meaning, for what the agent writes beside the database. */
const errnoCodes: Record<string, string> = {
  ENOSPC: "free space on the filesystem of agent.data_dir",
  EDQUOT: "raise the disk quota of the agent's user, or free space",
  EIO: "check the disk under agent.data_dir (dmesg)",
  EROFS: "remount the filesystem of agent.data_dir read-write",
};

const errnoReasons: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EIO: "input/output error",
  EROFS: "read-only file system",
};

const recovers = "the agent records again by itself once it can";

function spaceLeft(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/**
 * STORE_UNAVAILABLE for an error of `node:sqlite` (or of the file system under `dataDir`) that means
 * the store cannot be used now; undefined for anything else (a bug, a constraint, bad SQL).
 */
export function sqliteFailure(e: unknown, dataDir: string): VigilError | undefined {
  if (isVigilError(e)) return isVigilError(e, "STORE_UNAVAILABLE") ? e : undefined;
  const err = e as { errcode?: unknown; errstr?: unknown; code?: unknown; message?: unknown };
  if (typeof err.errcode === "number") {
    const known = sqliteCodes[err.errcode & 0xff];
    if (!known) return undefined;
    // An I/O error on a full disk (SQLite meets it while growing the WAL or its index) is the disk.
    const full = known.name === "SQLITE_IOERR" && spaceLeft(dataDir) === 0;
    const what = typeof err.errstr === "string" ? err.errstr : String(err.message);
    const reason = full ? `${what}: the filesystem is full` : what;
    const fix = full ? sqliteCodes[13]!.fix : known.fix;
    return new VigilError(
      "STORE_UNAVAILABLE",
      `the store cannot be used: ${reason} (${known.name}); ${fix}; ${recovers}`,
      {
        cause: e,
        details: { cause: known.name, reason, fix },
      },
    );
  }
  if (typeof err.code === "string" && err.code in errnoCodes) {
    const reason = errnoReasons[err.code] ?? err.code;
    const fix = errnoCodes[err.code];
    return new VigilError(
      "STORE_UNAVAILABLE",
      `the store cannot be used: ${reason} (${err.code}); ${fix}; ${recovers}`,
      {
        cause: e,
        details: { cause: err.code, reason, fix },
      },
    );
  }
  return undefined;
}

/** PostgreSQL SQLSTATE classes that are the server's condition, not the query: connection, resources, shutdown, system. */
const pgClasses: Record<string, string> = {
  "08": "the connection to PostgreSQL failed",
  "53": "PostgreSQL is out of resources (disk, memory or connections)",
  "57": "PostgreSQL is shutting down or refused the work",
  "58": "PostgreSQL met a system error (I/O)",
};

/** Connection-level errors of `pg` and the socket under it. */
const pgNetCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);

/** STORE_UNAVAILABLE for a `pg` error that is the server's or the network's condition; undefined otherwise. */
export function postgresFailure(e: unknown): VigilError | undefined {
  if (isVigilError(e)) return isVigilError(e, "STORE_UNAVAILABLE") ? e : undefined;
  const err = e as { code?: unknown; message?: unknown };
  const code = typeof err.code === "string" ? err.code : "";
  const message = typeof err.message === "string" ? err.message : "";
  let what: string | undefined;
  if (/^[0-9A-Z]{5}$/.test(code)) what = pgClasses[code.slice(0, 2)];
  else if (pgNetCodes.has(code)) what = `PostgreSQL could not be reached (${code})`;
  else if (
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  )
    what = "the connection to PostgreSQL was lost or could not be made";
  if (!what) return undefined;
  return new VigilError(
    "STORE_UNAVAILABLE",
    `the store cannot be used: ${what}${code ? ` (${code})` : ""}; ${recovers}`,
    {
      cause: e,
      details: {
        cause: code || "connection",
        reason: what,
        fix: "check the PostgreSQL server named by agent.store",
      },
    },
  );
}

/** What a STORE_UNAVAILABLE error from here carries: the code, the cause in words, and the fix. */
export interface FailureDetails {
  cause: string;
  reason: string;
  fix: string;
}

/** The details of a store failure, or undefined for an error that did not come from here. */
export function failureDetails(e: unknown): FailureDetails | undefined {
  if (!isVigilError(e, "STORE_UNAVAILABLE")) return undefined;
  const d = e.details as Partial<FailureDetails> | undefined;
  if (typeof d?.cause !== "string" || typeof d.reason !== "string" || typeof d.fix !== "string")
    return undefined;
  return { cause: d.cause, reason: d.reason, fix: d.fix };
}
