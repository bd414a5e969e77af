/**
 * Runs a SQLite query in a worker thread with a deadline: past it the caller gets a timeout and the
 * thread is terminated (it stops once SQLite hands control back). A bounded number of such threads
 * may still be winding down; past that a check says so instead of starting another.
 */
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { SqliteFailure, SqliteJob } from "./sqlite-read.ts";
import { SqlError, type RawRows } from "./result.ts";

export interface SqliteRun {
  timeoutMs: number;
  maxRows: number;
  signal?: AbortSignal;
}

const maxThreads = 4;
const running = new Set<Worker>();
// The worker is a sibling file, .ts from the sources or .js from the build.
const workerFile = new URL(
  `./sqlite-worker${path.extname(new URL(import.meta.url).pathname)}`,
  import.meta.url,
);

type Answer = { ok: true; rows: RawRows } | { ok: false; failure: SqliteFailure };

export function querySqlite(file: string, query: string, run: SqliteRun): Promise<RawRows> {
  const at = `sqlite:${file}`;
  if (run.signal?.aborted)
    return Promise.reject(new SqlError("aborted", `the query on ${at} was stopped`, false));
  if (running.size >= maxThreads)
    return Promise.reject(
      new SqlError(
        "timeout",
        `${maxThreads} earlier SQLite queries are still running past their timeout; make the query cheaper or the timeout longer`,
        false,
      ),
    );
  const job: SqliteJob = { file, query, maxRows: run.maxRows, busyTimeoutMs: run.timeoutMs };
  const worker = new Worker(workerFile, {
    workerData: job,
    // The agent's Node flags are V8's and process-wide already; a worker refuses some of them.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 64 },
  });
  // A thread still inside SQLite past its deadline must not keep the agent from exiting.
  worker.unref();
  running.add(worker);
  worker.once("exit", () => running.delete(worker));

  return new Promise<RawRows>((resolve, reject) => {
    let done = false;
    const finish = (answer: RawRows | SqlError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      run.signal?.removeEventListener("abort", onAbort);
      worker.terminate().catch(() => undefined);
      if (answer instanceof SqlError) reject(answer);
      else resolve(answer);
    };
    const timer = setTimeout(
      () =>
        finish(
          new SqlError("timeout", `the query on ${at} ran over ${run.timeoutMs} ms and was abandoned`, true),
        ),
      run.timeoutMs,
    );
    const onAbort = () => finish(new SqlError("aborted", `the query on ${at} was stopped`, true));
    run.signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (a: Answer) =>
      finish(a.ok ? a.rows : new SqlError(a.failure.reason, a.failure.message, a.failure.connected)),
    );
    worker.once("error", (e: Error) =>
      finish(new SqlError("query", `the SQLite reader failed: ${e.message}`, false)),
    );
    worker.once("exit", (code) =>
      finish(new SqlError("query", `the SQLite reader stopped (exit ${code})`, false)),
    );
  });
}
