/**
 * The digest of one Berlin day from a real SQLite store, seeded through the real stores: what it
 * counts, what it leaves to the days around it, the audit chain walked for real (intact and edited),
 * backup folders with real manifests; and the sender, which queues it once per channel however
 * often it runs and whichever start (or agent) runs it.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { AuditLog } from "../audit/audit-log.ts";
import { backupRow, listBackups, writeManifest, type Manifest } from "../backups/manifest.ts";
import { configSchema } from "../config/schema.ts";
import type { NewEvent } from "../core/events.ts";
import { silentLogger } from "../core/log.ts";
import { Redactor } from "../core/redact.ts";
import { ActionStore } from "../store/action-store.ts";
import { DigestStore } from "../store/digest-store.ts";
import { IncidentStore } from "../store/incident-store.ts";
import { openStore } from "../store/open.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import { SqliteDb } from "../store/sqlite/db.ts";
import type { Store } from "../store/store.ts";
import { collectDigest, type DigestSources } from "./collect.ts";
import { renderDigest } from "./render.ts";
import { digestSender } from "./sender.ts";

const utc = (iso: string) => Date.parse(iso);
const tz = "Europe/Berlin";
/** 2026-12-05 in Berlin is 2026-12-04T23:00Z to 2026-12-05T23:00Z. */
const day = "2026-12-05";

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function seeded(dir = tempDir("vigil-digest-"), start = "2026-12-06T06:59:30Z") {
  const store = await openStore({ store: "sqlite", dataDir: dir });
  stores.push(store);
  const incidents = new IncidentStore(store.db);
  const incident = (id: string, target: string, opened: string, resolved: string | null, escalated = 0) =>
    incidents.insertIncident({
      id,
      target,
      failure_class: "connection_refused",
      status: resolved ? "resolved" : "open",
      escalated,
      escalation: escalated ? "budget spent" : null,
      linked_to: null,
      opened_at: utc(opened),
      resolved_at: resolved ? utc(resolved) : null,
      reopened: 0,
    });
  await incident("inc-web", "web", "2026-12-05T02:10Z", "2026-12-05T02:14Z");
  // Opened the evening before (23:30 Berlin), resolved on the day: counted as resolved only.
  await incident("inc-db", "db", "2026-12-04T22:30Z", "2026-12-05T00:30Z");
  await incident("inc-queue", "queue", "2026-12-05T20:00Z", null, 1);
  // 00:30 on 2026-12-06 in Berlin, though still the 5th in UTC: the next day's.
  await incident("inc-late", "late", "2026-12-05T23:30Z", null);

  const actions = new ActionStore(store.db);
  let n = 0;
  const run = async (action: string, at: string, status: "succeeded" | "failed") => {
    const id = `run-${++n}`;
    await actions.insertRun({
      ...{ id, action, params: "{}", target: null, requested_by: "agent", reason: "test", approval_id: null },
      ...{ status: "running", result: null, started_at: utc(at), finished_at: null },
    });
    await actions.finishRun(id, status, "{}", utc(at) + 1_000);
  };
  await run("restart-web", "2026-12-05T02:11Z", "succeeded");
  await run("restart-web", "2026-12-05T02:12Z", "failed");
  await run("restart-web", "2026-12-05T09:00Z", "succeeded");
  await run("reindex", "2026-12-05T12:00Z", "succeeded");
  await run("reindex", "2026-12-04T12:00Z", "failed");

  const approval = async (id: string, status: "approved" | "expired" | "pending", decided: string | null) => {
    await actions.insertApproval({
      ...{ id, action: "drop-cache", params: "{}", target: "web", reason: "slow", requested_by: "claude" },
      ...{ requested_at: utc("2026-12-04T20:00Z"), expires_at: utc("2026-12-06T20:00Z"), required: 1 },
      ...{ status: "pending", assessment: "{}", run_id: null, decided_at: null },
    });
    if (decided) await actions.setApprovalStatus(id, status, utc(decided));
  };
  await approval("ap-1", "approved", "2026-12-05T10:00Z");
  await approval("ap-2", "expired", "2026-12-05T21:00Z");
  await approval("ap-3", "approved", "2026-12-04T21:00Z");
  await approval("ap-4", "pending", null);

  const minute = (target: string, at: string, total: number, ok: number) => ({
    ...{ target, minute: utc(at), total, ok, p50_ms: 5, p95_ms: 9 },
  });
  await store.writeResults(
    [],
    [
      minute("web", "2026-12-05T02:10Z", 60, 54),
      minute("web", "2026-12-05T02:11Z", 60, 60),
      minute("db", "2026-12-05T03:00Z", 60, 60),
      minute("api", "2026-12-05T04:00Z", 60, 30),
      minute("api", "2026-12-05T23:10Z", 60, 0),
    ],
  );

  const audit = new AuditLog(store, new Redactor());
  const ev = (i: number): NewEvent => ({
    type: "agent.stopped",
    subject: "agent",
    actor: "test",
    payload: { reason: `r${i}` },
    ts: utc(day) + i,
  });
  await audit.append([ev(1), ev(2), ev(3)]);

  const backupDir = tempDir("vigil-digest-backups-");
  const dump = (at: string, verify: Manifest["verify"]) => {
    const file = `backup-${at.replace(/[-:.]/g, "")}.sqlite`;
    fs.writeFileSync(path.join(backupDir, file), "dump");
    const { size, mtimeMs } = fs.statSync(path.join(backupDir, file));
    writeManifest(backupDir, {
      ...{ vigil_backup: 1, file, source: "sqlite", from: "/srv/app.db", created_at: utc(at), size },
      ...{ mtime_ms: mtimeMs, sha256: "ab".repeat(32), verify },
    });
    return file;
  };
  const good = dump("2026-12-04T01:30:00.000Z", {
    ok: true,
    at: utc("2026-12-04T01:31Z"),
    duration_ms: 9,
    checksum_ok: true,
  });
  const bad = dump("2026-12-05T01:30:00.000Z", {
    ...{ ok: false, at: utc("2026-12-05T01:31Z"), duration_ms: 9, checksum_ok: false },
    error: "checksum mismatch",
  });
  const clock = new FakeClock(utc(start));
  const sources: DigestSources = {
    store: new DigestStore(store.db),
    clock,
    verifyAudit: () => audit.verify(),
    backups: async () => [
      {
        action: "backup-db",
        to: backupDir,
        check: "backup:backup-db",
        backups: (await listBackups(backupDir)).map(backupRow),
      },
      { action: "backup-files", to: "/none", check: "backup:backup-files", backups: [] },
    ],
    auditTimeoutMs: 10_000,
  };
  return { dir, store, sources, clock, files: { good, bad } };
}

describe("the digest's content", () => {
  it("counts the day in its time zone: incidents, actions, approvals, uptime, audit, backups", async () => {
    const { sources, files } = await seeded();
    const d = await collectDigest(sources, day, tz);
    expect(d).toMatchObject({
      date: day,
      timezone: tz,
      from: utc("2026-12-04T23:00Z"),
      to: utc("2026-12-05T23:00Z"),
    });
    expect(d.incidents).toMatchObject({
      opened: 2,
      resolved: 2,
      median_recovery_ms: (4 * 60_000 + 120 * 60_000) / 2,
    });
    expect(d.incidents.list.map((i) => [i.id, i.recovery_ms])).toEqual([
      ["inc-db", 120 * 60_000],
      ["inc-web", 4 * 60_000],
      ["inc-queue", null],
    ]);
    expect(d.actions).toEqual({
      runs: 4,
      succeeded: 3,
      failed: 1,
      by_action: [
        { action: "restart-web", runs: 3, succeeded: 2, failed: 1 },
        { action: "reindex", runs: 1, succeeded: 1, failed: 0 },
      ],
    });
    expect(d.approvals).toMatchObject({ approved: 1, rejected: 0, expired: 1 });
    expect(d.approvals.list.map((a) => a.id)).toEqual(["ap-1", "ap-2"]);
    expect(d.uptime).toEqual([
      { target: "api", percent: 50, total: 60, ok: 30 },
      { target: "web", percent: 95, total: 120, ok: 114 },
      { target: "db", percent: 100, total: 60, ok: 60 },
    ]);
    expect(d.audit).toEqual({ ok: true, count: 3, reason: null });
    expect(d.backups.list).toEqual([
      {
        action: "backup-db",
        file: files.bad,
        verified_at: utc("2026-12-05T01:31Z"),
        ok: false,
        error: "checksum mismatch",
      },
      { action: "backup-files", file: null, verified_at: null, ok: null, error: null },
    ]);

    const m = renderDigest(d);
    expect(m.title).toBe(
      "Vigil daily digest for 2026-12-05 (Europe/Berlin): 2 incidents, 1 failed run, backups not verified",
    );
    expect(m.text).toBe(
      [
        "Incidents",
        "  2 opened, 2 resolved; median time to recover 62 min",
        "  db (connection_refused) opened 2026-12-04 23:30, resolved 01:30: recovered in 2 h",
        "  web (connection_refused) opened 03:10, resolved 03:14: recovered in 4 min",
        "  queue (connection_refused) opened 21:00, still open at the end of the day, escalated",
        "",
        "Actions",
        "  4 runs: 3 succeeded, 1 failed",
        "  restart-web: 3 runs, 2 succeeded, 1 failed",
        "  reindex: 1 run, 1 succeeded, 0 failed",
        "",
        "Approvals",
        "  1 approved, 0 rejected, 1 expired",
        "  drop-cache on web, asked by claude: approved 11:00",
        "  drop-cache on web, asked by claude: expired 22:00",
        "",
        "Worst uptime",
        "  api: 50.00% (30 of 60 results good)",
        "  web: 95.00% (114 of 120 results good)",
        "  db: 100.00% (60 of 60 results good)",
        "",
        "Audit chain",
        "  verified: the chain is intact",
        "",
        "Backups",
        `  backup-db: restore test FAILED 02:31 (${files.bad}): checksum mismatch`,
        "  backup-files: no restore test yet",
      ].join("\n"),
    );
  });

  it("says when the audit chain does not verify", async () => {
    const { dir, sources } = await seeded();
    // An edit through a second connection, as someone with the file would make it.
    const db = new SqliteDb(path.join(dir, "vigil.db"));
    await db.exec("DROP TRIGGER audit_events_no_update;");
    await db.exec(`UPDATE audit_events SET payload = '{"reason":"nothing to see"}' WHERE seq = 2`);
    await db.close();
    const d = await collectDigest(sources, day, tz);
    expect(d.audit).toMatchObject({ ok: false });
    expect(renderDigest(d).text).toMatch(
      /Audit chain\n {2}DOES NOT VERIFY: .*edited.*; run vigil audit verify/,
    );
    expect(renderDigest(d).title).toContain("audit chain broken");
  });

  it("is quiet for a day with nothing in it", async () => {
    const { sources } = await seeded();
    const d = await collectDigest({ ...sources, backups: async () => [] }, "2026-11-20", tz);
    const m = renderDigest(d);
    expect(m.title).toBe("Vigil daily digest for 2026-11-20 (Europe/Berlin): all quiet");
    expect(m.text).toContain("Incidents\n  0 opened, 0 resolved\n\nActions\n  no action ran");
    expect(m.text).toContain("Worst uptime\n  no check results recorded");
  });
});

describe("the sender", () => {
  const config = (to: string[]) =>
    configSchema.parse({
      notify: {
        channels: {
          mail: { webhook: { url: "http://127.0.0.1:9/a" } },
          hook: { webhook: { url: "http://127.0.0.1:9/b" } },
          chat: { webhook: { url: "http://127.0.0.1:9/c" } },
        },
        digest: { at: "08:00", timezone: tz, to },
      },
    }).notify;

  it("on its own schedule, queues nothing before the minute of `at` and queues it within a pass of it", async () => {
    // Started 33 s before 08:00 Berlin: a tick longer than 5 s would not land in the minute's first 5 s.
    const { store, sources, clock } = await seeded(undefined, "2026-12-06T06:59:27Z");
    const outbox = new OutboxStore(store.db);
    const notify = config(["mail", "hook"]);
    const sender = digestSender({ sources, outbox, clock, log: silentLogger(), config: () => notify });
    sender.start();
    try {
      // 07:59:59.999 in Berlin: every pass so far found it not due.
      const eight = utc("2026-12-06T07:00Z");
      await clock.advance(eight - 1 - clock.now());
      await sender.run();
      expect(await outbox.list(10)).toEqual([]);

      // The pass that comes at or after 08:00 queues it, no later than one tick (5 s) after.
      await clock.advance(5_001);
      await expect.poll(async () => (await outbox.list(10)).length, { timeout: 10_000 }).toBe(2);
      for (const row of await outbox.list(10)) {
        expect(row.created_at).toBeGreaterThanOrEqual(eight);
        expect(row.created_at).toBeLessThanOrEqual(eight + 5_000);
      }
    } finally {
      await sender.stop();
    }
  });

  it("queues yesterday's digest at `at`, once per channel, across restarts and agents", async () => {
    const { store, sources, clock } = await seeded();
    const outbox = new OutboxStore(store.db);
    let notify = config(["mail", "hook"]);
    const sender = () => digestSender({ sources, outbox, clock, log: silentLogger(), config: () => notify });
    const first = sender();
    await first.run();
    expect(await outbox.list(10)).toEqual([]);

    await clock.advance(30_000);
    await first.run();
    await first.run();
    const rows = await outbox.list(10);
    expect(rows.map((r) => [r.channel, r.dedup_key, r.kind, r.status]).sort()).toEqual([
      ["hook", "digest:2026-12-05", "digest", "pending"],
      ["mail", "digest:2026-12-05", "digest", "pending"],
    ]);
    const body = JSON.parse(rows[0]!.body) as {
      title: string;
      text: string;
      sections: unknown[];
      digest: { date: string };
    };
    expect(body.title).toMatch(/^Vigil daily digest for 2026-12-05 \(Europe\/Berlin\)/);
    expect(body.sections).toHaveLength(6);
    expect(body.digest.date).toBe(day);
    expect(body.text).toBe(renderDigest(await collectDigest(sources, day, tz)).text);

    // A restart, or a second agent on the same store, later that day: nothing more.
    await clock.advance(3_600_000);
    await sender().run();
    expect(await outbox.list(10)).toHaveLength(2);

    // A channel added by a reload gets its copy; the others still none twice.
    notify = config(["mail", "hook", "chat"]);
    await first.run();
    expect((await outbox.list(10)).map((r) => r.channel).sort()).toEqual(["chat", "hook", "mail"]);

    // The next morning, the next day's.
    await clock.advance(utc("2026-12-07T07:00Z") - clock.now());
    await first.run();
    expect((await outbox.list(10)).filter((r) => r.dedup_key === "digest:2026-12-06")).toHaveLength(3);
  });
});
