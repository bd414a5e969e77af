import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Redactor, REDACTED } from "../core/redact.ts";
import type { NewEvent } from "../core/events.ts";
import { openStore } from "../store/open.ts";
import { SqliteDb } from "../store/sqlite/db.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { AuditLog } from "./audit-log.ts";
import { GENESIS } from "./chain.ts";

const ev = (n: number, payload: Record<string, unknown> = { reason: `r${n}` }): NewEvent =>
  ({
    type: "agent.stopped",
    subject: "agent",
    actor: "test",
    payload,
    ts: 1_700_000_000_000 + n,
  }) as NewEvent;

async function withLog(redactor = new Redactor()) {
  const dir = tempDir();
  const store = await openStore({ store: "sqlite", dataDir: dir });
  return { dir, store, log: new AuditLog(store, redactor) };
}

/** What an attacker with file access does: lift the append-only triggers, then change rows. */
async function tamper(dir: string, ...sql: string[]) {
  const db = new SqliteDb(path.join(dir, "vigil.db"));
  await db.exec("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;");
  for (const s of sql) await db.exec(s);
  await db.close();
}

describe("audit log", () => {
  it("chains every event to the one before, starting from the genesis hash", async () => {
    const { store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3)]);
    const rows = await log.page(0, 10);
    expect(rows[0]!.prev_hash).toBe(GENESIS);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect(await log.verify()).toEqual({ ok: true, count: 3, last_seq: 3 });
    await store.close();
  });

  it("group-commits concurrent appends into one contiguous chain", async () => {
    const { store, log } = await withLog();
    const stored = await Promise.all(Array.from({ length: 2_500 }, (_, i) => log.append([ev(i)])));
    expect(stored.map((s) => s[0]!.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 2_500 }, (_, i) => i + 1),
    );
    expect(await log.verify()).toMatchObject({ ok: true, count: 2_500 });
    await store.close();
  });

  it("shares one walk among callers while it is under way, and walks afresh after it", async () => {
    const { store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3)]);
    const scans = vi.spyOn(store, "scanEvents");
    const [a, b, c] = await Promise.all([log.verify(), log.verify(), log.verify()]);
    expect(scans).toHaveBeenCalledTimes(1);
    expect(a).toEqual({ ok: true, count: 3, last_seq: 3 });
    expect(b).toBe(a);
    expect(c).toBe(a);
    await log.append([ev(4)]);
    expect(await log.verify()).toEqual({ ok: true, count: 4, last_seq: 4 });
    expect(scans).toHaveBeenCalledTimes(2);
    await store.close();
  });

  it("detects an edited payload and names its seq", async () => {
    const { dir, store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3), ev(4)]);
    await store.close();
    await tamper(dir, `UPDATE audit_events SET payload = '{"reason":"nothing to see"}' WHERE seq = 3`);
    const reopened = await openStore({ store: "sqlite", dataDir: dir });
    const result = await new AuditLog(reopened, new Redactor()).verify();
    expect(result).toMatchObject({ ok: false, first_bad_seq: 3, last_seq: 2 });
    expect(result.reason).toMatch(/edited/);
    await reopened.close();
  });

  it("detects a deleted row", async () => {
    const { dir, store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3), ev(4)]);
    await store.close();
    await tamper(dir, "DELETE FROM audit_events WHERE seq = 2");
    const reopened = await openStore({ store: "sqlite", dataDir: dir });
    const result = await new AuditLog(reopened, new Redactor()).verify();
    expect(result).toMatchObject({ ok: false, first_bad_seq: 2 });
    expect(result.reason).toMatch(/missing/);
    await reopened.close();
  });

  it("detects reordered rows (contents swapped, seqs kept)", async () => {
    const { dir, store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3), ev(4)]);
    await store.close();
    await tamper(
      dir,
      "CREATE TEMP TABLE t AS SELECT * FROM audit_events WHERE seq IN (2, 3)",
      `UPDATE audit_events SET ts = (SELECT ts FROM t WHERE seq = 3), payload = (SELECT payload FROM t WHERE seq = 3),
         prev_hash = (SELECT prev_hash FROM t WHERE seq = 3), hash = (SELECT hash FROM t WHERE seq = 3) WHERE seq = 2`,
      `UPDATE audit_events SET ts = (SELECT ts FROM t WHERE seq = 2), payload = (SELECT payload FROM t WHERE seq = 2),
         prev_hash = (SELECT prev_hash FROM t WHERE seq = 2), hash = (SELECT hash FROM t WHERE seq = 2) WHERE seq = 3`,
    );
    const reopened = await openStore({ store: "sqlite", dataDir: dir });
    const result = await new AuditLog(reopened, new Redactor()).verify();
    expect(result).toMatchObject({ ok: false, first_bad_seq: 2 });
    await reopened.close();
  });

  it("detects a row whose hash was recomputed but whose successor was not", async () => {
    const { dir, store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3)]);
    await store.close();
    await tamper(dir, "UPDATE audit_events SET hash = 'f' || substr(hash, 2) WHERE seq = 2");
    const reopened = await openStore({ store: "sqlite", dataDir: dir });
    expect(await new AuditLog(reopened, new Redactor()).verify()).toMatchObject({
      ok: false,
      first_bad_seq: 2,
    });
    await reopened.close();
  });

  it("redacts secrets by key and by known value before they are written", async () => {
    const redactor = new Redactor().addSecrets(["s3cr3t-from-env"]);
    const { store, log } = await withLog(redactor);
    await log.append([
      ev(1, {
        token: "abc123456",
        nested: { password: "hunter22" },
        note: "url was https://u:s3cr3t-from-env@h/",
      }),
    ]);
    const [row] = await log.page(0, 1);
    expect(JSON.parse(row!.payload)).toEqual({
      token: REDACTED,
      nested: { password: REDACTED },
      note: `url was https://u:${REDACTED}@h/`,
    });
    expect(row!.payload).not.toContain("s3cr3t-from-env");
    expect(row!.payload).not.toContain("hunter22");
    expect(await log.verify()).toMatchObject({ ok: true });
    await store.close();
  });

  it("exports JSON lines with the payload as an object, and tails the newest", async () => {
    const { store, log } = await withLog();
    await log.append([ev(1), ev(2), ev(3)]);
    const lines: string[] = [];
    for await (const l of log.exportLines()) lines.push(l);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toMatchObject({ seq: 2, type: "agent.stopped", payload: { reason: "r2" } });
    expect((await log.tail(2)).map((e) => e.seq)).toEqual([2, 3]);
    await store.close();
  });
});
