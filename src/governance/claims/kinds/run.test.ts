import { describe, expect, it } from "vitest";
import type { BackupsView } from "../../../backups/manifest.ts";
import type { RunView } from "../../../gateway/types.ts";
import type { JobView } from "../../../jobs/entry.ts";
import { VigilError } from "../../../core/errors.ts";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";

const now = 1_800_000_000_000;
const run = (id: string, action: string, status: RunView["status"], started_at: number): RunView => ({
  id,
  action,
  params: {},
  target: null,
  requested_by: "alice",
  reason: "",
  approval_id: null,
  status,
  started_at,
  finished_at: status === "running" ? null : started_at + 10,
  result:
    status === "running"
      ? null
      : { ok: status === "succeeded", duration_ms: 10, exit_code: status === "succeeded" ? 0 : 3 },
});
const runs = [
  run("11111111-2222-4333-8444-555555555555", "reindex", "failed", now - 1_000),
  run("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "reindex", "succeeded", now - 60_000),
  run("99999999-8888-4777-8666-555555555555", "rotate", "running", now - 500),
];
const job = (name: string, last_result: JobView["last_result"]): JobView => ({
  name,
  action: "backup-db",
  target: null,
  cron: "30 2 * * *",
  timezone: null,
  overlap: "skip",
  catch_up: "once",
  next_run: now + 1_000,
  last_run: now - 5_000,
  last_finished: now - 4_000,
  last_result,
  last_detail: null,
  run_id: null,
  approval_id: null,
  running: last_result === "running",
  queued: false,
});
const dump = (file: string, ageMs: number, good: boolean) => ({
  file,
  created_at: now - ageMs,
  size: 100,
  sha256: "ab",
  good,
  problem: good ? null : "verify failed: [VALUE] (0) > 0",
  verify: null,
});
const backups: Record<string, BackupsView> = {
  "backup-db": {
    action: "backup-db",
    to: "/b",
    check: "backup-db",
    backups: [dump("db-2.sql.gz", 3_600_000, true), dump("db-1.sql.gz", 90_000_000, true)],
  },
  "backup-bad": {
    action: "backup-bad",
    to: "/c",
    check: "backup-bad",
    backups: [dump("c-2.tar.gz", 60_000, false)],
  },
  "backup-old": {
    action: "backup-old",
    to: "/d",
    check: "backup-old",
    backups: [dump("d-1.tar.gz", 3 * 86_400_000, true)],
  },
};

const sources = claimSources({
  now: () => now,
  actionNames: () => ["reindex", "rotate", "backup-db", "backup-bad", "backup-old", "backup-none"],
  getRun: async (id) => runs.find((r) => r.id === id),
  runs: async (limit) => runs.slice(0, limit),
  jobs: () => [
    job("nightly", "succeeded"),
    job("weekly", "failed"),
    job("new", null),
    job("busy", "running"),
  ],
  backups: async (action) => {
    if (action === "reindex") throw new VigilError("NOT_FOUND", "reindex is no backup action");
    return [backups[action] ?? { action, to: "/e", check: action, backups: [] }];
  },
});
const verdict = async (claim: string) => (await checkClaim(claim, sources, { timeoutMs: 2_000 })).verdict;

describe("run, job and backup claims", () => {
  it("an action run by id, and the newest run of an action", async () => {
    const cases: [string, string][] = [
      ["action run aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee succeeded", "TRUE"],
      ["action run 11111111-2222-4333-8444-555555555555 succeeded", "FALSE"],
      ["run 11111111-2222-4333-8444-555555555555 failed", "TRUE"],
      ["action run 00000000-0000-4000-8000-000000000000 succeeded", "FALSE"],
      ["the last run of reindex succeeded", "FALSE"],
      ["the last run of reindex failed", "TRUE"],
      ["the latest run of rotate succeeded", "FALSE"],
      ["the last run of nosuch succeeded", "UNVERIFIABLE"],
    ];
    for (const [claim, want] of cases) expect(await verdict(claim), claim).toBe(want);
  });

  it("a job's last result", async () => {
    const cases: [string, string][] = [
      ["job nightly ran successfully", "TRUE"],
      ["the nightly job succeeded", "TRUE"],
      ["job weekly ran successfully", "FALSE"],
      ["the weekly job failed", "TRUE"],
      ["job new succeeded", "FALSE"],
      ["job busy succeeded", "UNVERIFIABLE"],
      ["job monthly succeeded", "UNVERIFIABLE"],
    ];
    for (const [claim, want] of cases) expect(await verdict(claim), claim).toBe(want);
  });

  it("a backup: its newest dump good and recent", async () => {
    const cases: [string, string][] = [
      ["the backup backup-db succeeded", "TRUE"],
      ["the backup-db backup completed", "TRUE"],
      ["the backup backup-bad succeeded", "FALSE"],
      ["the backup backup-old succeeded", "FALSE"],
      ["the backup backup-none succeeded", "FALSE"],
      ["the backup reindex succeeded", "UNVERIFIABLE"],
      ["the backup nosuch succeeded", "UNVERIFIABLE"],
    ];
    for (const [claim, want] of cases) expect(await verdict(claim), claim).toBe(want);
    const v = await checkClaim("the backup backup-bad succeeded", sources, { timeoutMs: 2_000 });
    expect(v.checks[0]!.observed).toBe("c-2.tar.gz, 1 min old: not good (verify failed: [VALUE] (0) > 0)");
  });
});
