/**
 * The thread a SQLite query runs in. node:sqlite is synchronous: a slow query run on the agent's own
 * thread would stop every probe, timer and HTTP answer until it ends; here it stops only this thread,
 * which the runner (sqlite.ts) abandons at its deadline.
 */
import { parentPort, workerData } from "node:worker_threads";
import { readSqlite, SqliteReadError, type SqliteJob } from "./sqlite-read.ts";

try {
  parentPort?.postMessage({ ok: true, rows: readSqlite(workerData as SqliteJob) });
} catch (e) {
  const failure =
    e instanceof SqliteReadError
      ? e.failure
      : { reason: "query", message: e instanceof Error ? e.message : String(e), connected: false };
  parentPort?.postMessage({ ok: false, failure });
}
