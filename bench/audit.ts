/**
 * Audit log throughput: append with the hash chain and each row's MAC (one event per transaction
 * with synchronous=FULL, and batched through the group-commit path the agent uses), and verify
 * (hashes, MACs, anchor) over 1,000,000 events. Goals: >= 5,000/s single, >= 20,000/s batched, verify 1M in <= 5 s.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openAuditTrail } from "../src/audit/trail.ts";
import { systemClock } from "../src/core/clock.ts";
import type { NewEvent } from "../src/core/events.ts";
import { Redactor } from "../src/core/redact.ts";
import { openStore } from "../src/store/open.ts";

const event = (i: number): NewEvent => ({
  type: "config.reloaded",
  subject: `target-${i % 50}`,
  actor: "bench",
  payload: { config_file: `/etc/vigil/vigil.yaml#${i}` },
  ts: Date.now(),
});

/** The log as the agent opens it: every row MACed with audit.key, the anchor file on its timer. */
async function freshLog() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-audit-"));
  const store = await openStore({ store: "sqlite", dataDir: dir });
  const { audit, keeper } = await openAuditTrail({
    store,
    dataDir: dir,
    agent: "bench",
    redactor: new Redactor().addSecrets(["bench-secret-value"]),
    clock: systemClock,
    acceptReset: false,
    onAnchorError: (e) => {
      throw e;
    },
  });
  return { dir, store: { close: () => keeper.stop().then(() => store.close()) }, log: audit };
}

/**
 * The disk's ceiling for the same work without Vigil: one row of the same shape per transaction,
 * straight through node:sqlite with the same pragmas. Vigil's single-append figure is read against it.
 */
function rawCeiling(n: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-raw-"));
  const db = new DatabaseSync(path.join(dir, "raw.db"));
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
  db.exec(
    "CREATE TABLE e (seq INTEGER PRIMARY KEY, ts INTEGER, actor TEXT, type TEXT, subject TEXT, payload TEXT, prev_hash TEXT, hash TEXT)",
  );
  const insert = db.prepare("INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const t = performance.now();
  for (let i = 1; i <= n; i++) {
    begin.run();
    insert.run(
      i,
      Date.now(),
      "bench",
      "config.reloaded",
      `target-${i % 50}`,
      `{"config_file":"/etc/vigil/vigil.yaml#${i}"}`,
      "a".repeat(64),
      "b".repeat(64),
    );
    commit.run();
  }
  const perS = n / ((performance.now() - t) / 1000);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return Math.round(perS);
}

export interface AuditBench {
  raw_sqlite_single_per_s: number;
  single_per_s: number;
  grouped_per_s: number;
  batched_per_s: number;
  verify_events: number;
  verify_s: number;
  verify_per_s: number;
}

export async function benchAudit(
  opts: { single?: number; batched?: number; verify?: number } = {},
): Promise<AuditBench> {
  const single = opts.single ?? 5_000;
  const batched = opts.batched ?? 200_000;
  const verifyCount = opts.verify ?? 1_000_000;

  // One event per transaction: each append awaited before the next, so every event is its own fsync.
  let { dir, store, log } = await freshLog();
  let t = performance.now();
  for (let i = 0; i < single; i++) await log.append([event(i)]);
  const singlePerS = single / ((performance.now() - t) / 1000);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });

  // Many callers at once, as in the agent: the group commit folds them into few transactions.
  ({ dir, store, log } = await freshLog());
  t = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < batched; i++) {
    inflight.push(log.append([event(i)]));
    if (inflight.length >= 1_000) await Promise.all(inflight.splice(0));
  }
  await Promise.all(inflight);
  const groupedPerS = batched / ((performance.now() - t) / 1000);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });

  // Explicit batches of 1,000 events per append call.
  ({ dir, store, log } = await freshLog());
  t = performance.now();
  for (let i = 0; i < verifyCount; i += 1_000) {
    await log.append(Array.from({ length: Math.min(1_000, verifyCount - i) }, (_, k) => event(i + k)));
  }
  const batchedPerS = verifyCount / ((performance.now() - t) / 1000);

  t = performance.now();
  const result = await log.verify();
  const verifyS = (performance.now() - t) / 1000;
  if (!result.ok || result.count !== verifyCount) throw new Error(`verify failed: ${JSON.stringify(result)}`);
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });

  return {
    raw_sqlite_single_per_s: rawCeiling(single),
    single_per_s: Math.round(singlePerS),
    grouped_per_s: Math.round(groupedPerS),
    batched_per_s: Math.round(batchedPerS),
    verify_events: verifyCount,
    verify_s: Math.round(verifyS * 100) / 100,
    verify_per_s: Math.round(verifyCount / verifyS),
  };
}

if (import.meta.main) {
  const r = await benchAudit();
  const goal = (ok: boolean) => (ok ? "meets goal" : "BELOW GOAL");
  console.log(
    `append, one event per transaction (synchronous=FULL): ${r.single_per_s.toLocaleString("en")}/s  (goal >= 5,000: ${goal(r.single_per_s >= 5_000)})`,
  );
  console.log(
    `  the disk's ceiling: same rows, raw node:sqlite:    ${r.raw_sqlite_single_per_s.toLocaleString("en")}/s`,
  );
  console.log(
    `append, concurrent callers (group commit):           ${r.grouped_per_s.toLocaleString("en")}/s`,
  );
  console.log(
    `append, batches of 1,000:                            ${r.batched_per_s.toLocaleString("en")}/s  (goal >= 20,000: ${goal(r.batched_per_s >= 20_000)})`,
  );
  console.log(
    `verify ${r.verify_events.toLocaleString("en")} events:                              ${r.verify_s} s  (goal <= 5 s: ${goal(r.verify_s <= 5)})`,
  );
  console.log(JSON.stringify(r));
}
