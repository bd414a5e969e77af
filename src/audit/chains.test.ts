/**
 * One hash chain per agent in a fleet's shared table, on the real PostgreSQL at 127.0.0.1:5432: three
 * agents (each its own data_dir, key, anchor and connection pool, as separate processes have) append
 * at once; every chain holds; a row edited in one agent's chain is reported for that agent only; a
 * chain's last row deleted is caught by its agent's anchor; a store written by the single shared
 * chain of an older version verifies after the upgrade, and its end stays anchored.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { isVigilError } from "../core/errors.ts";
import type { NewEvent } from "../core/events.ts";
import { Redactor } from "../core/redact.ts";
import { migrations } from "../store/migrations/index.ts";
import { openStore } from "../store/open.ts";
import { PostgresDb } from "../store/postgres/db.ts";
import { pgAdmin, testSchema } from "../../test/helpers/postgres.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { readAnchor, writeAnchor } from "./anchor.ts";
import { makeSealer } from "./chain.ts";
import { verifyStore } from "./check.ts";
import { createAuditKey, readAuditKey } from "./key.ts";
import { openAuditTrail } from "./trail.ts";

const ev = (n: number): NewEvent<"agent.stopped"> => ({
  type: "agent.stopped",
  subject: "agent",
  actor: "test",
  payload: { reason: `r${n}` },
  ts: 1_700_000_000_000 + n,
});

const schemas: string[] = [];
/** Hundreds of appends and several walks over three connection pools: slow on a shared, loaded machine. */
const slow = { timeout: 120_000 };
/** Agents still open when a test ends (it failed midway): closed, so no anchor timer outlives it. */
const open = new Set<() => Promise<void>>();

afterEach(async () => {
  for (const close of open) await close();
});

afterAll(async () => {
  for (const s of schemas) await pgAdmin(`DROP SCHEMA ${s} CASCADE`);
});

async function freshSchema(): Promise<string> {
  const s = testSchema("vigil_chains");
  await pgAdmin(`CREATE SCHEMA ${s.name}`);
  schemas.push(s.name);
  return s.url();
}

/** An agent as `vigil up` opens its audit log: its own store connection, data_dir, key and anchor. */
async function agent(url: string, name: string, dataDir = tempDir(), acceptReset = false) {
  const store = await openStore({ store: url, dataDir });
  try {
    const trail = await openAuditTrail({
      ...{ store, dataDir, agent: name, redactor: new Redactor(), clock: systemClock, acceptReset },
      onAnchorError: (e) => {
        throw e;
      },
    });
    const close = async () => {
      if (!open.delete(close)) return;
      await trail.audit.drain();
      await trail.keeper.stop();
      await store.close();
    };
    open.add(close);
    return { name, dataDir, store, ...trail, close };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/** What an attacker with the database owner's rights does: lift the append-only trigger, change rows. */
async function tamper(url: string, sql: string): Promise<void> {
  const db = new PostgresDb(url);
  await db.exec("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events");
  await db.exec(sql);
  await db.close();
}

/** Offline, as `vigil audit verify -c` with that agent's config. */
async function verifyAs(url: string, a: { name: string; dataDir: string }) {
  const store = await openStore({ store: url, dataDir: a.dataDir, readOnly: true });
  try {
    return await verifyStore({ store, dataDir: a.dataDir, key: readAuditKey(a.dataDir), own: a.name });
  } finally {
    await store.close();
  }
}

/** Three agents, each appending bursts of 1 to 5 events at once, 40 bursts each, all concurrently. */
async function interleaved(url: string) {
  const agents = [];
  for (const n of ["web-1", "web-2", "web-3"]) agents.push(await agent(url, n));
  await Promise.all(
    agents.map(async (a, k) => {
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const n = 1 + ((i * 7 + k) % 5);
        pending.push(a.audit.append(Array.from({ length: n }, (_, j) => ev(k * 10_000 + i * 10 + j))));
        if (i % 4 === 3) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    }),
  );
  return agents;
}

describe("one hash chain per agent in a fleet's shared table", () => {
  it("concurrent appends of three agents never break any chain; each checks its own MACs", slow, async () => {
    const url = await freshSchema();
    const agents = await interleaved(url);
    const db = agents[0]!.store.db;
    const rows = await db.all<{ seq: string; chain: string; prev_hash: string; hash: string }>(
      "SELECT seq, chain, prev_hash, hash FROM audit_events ORDER BY seq",
    );
    // One seq over the table, in the order the appends committed; the chains interleave in it.
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    const switches = rows.filter((r, i) => i > 0 && r.chain !== rows[i - 1]!.chain).length;
    expect(switches).toBeGreaterThan(10);
    const counts = Object.fromEntries(
      agents.map((a) => [a.name, rows.filter((r) => r.chain === a.name).length]),
    );
    for (const a of agents) {
      const result = await a.audit.verify();
      expect(result).toMatchObject({ ok: true, count: rows.length });
      expect(result.chains).toEqual(
        agents.map((b) => ({
          agent: b.name,
          ok: true,
          count: counts[b.name],
          last_seq: Math.max(...rows.filter((r) => r.chain === b.name).map((r) => Number(r.seq))),
          // Its own rows are held to its key; the others' carry keys it does not have.
          mac_checked: b === a ? counts[b.name] : 0,
          ...(b === a
            ? {}
            : {
                mac_unchecked: {
                  rows: counts[b.name],
                  why: [expect.stringContaining("another agent's key")],
                },
              }),
        })),
      );
    }
    await Promise.all(agents.map((a) => a.close()));
  });

  it(
    "a row edited in web-2's chain is reported for web-2 only, and stops only web-2's start",
    slow,
    async () => {
      const url = await freshSchema();
      const agents = await interleaved(url);
      await Promise.all(agents.map((a) => a.close()));
      const [one, two, three] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
      const db = new PostgresDb(url);
      const [victim] = await db.all<{ seq: string }>(
        "SELECT seq FROM audit_events WHERE chain = 'web-2' ORDER BY seq LIMIT 1 OFFSET 20",
      );
      await db.close();
      const seq = Number(victim!.seq);
      await tamper(url, `UPDATE audit_events SET payload = '{"reason":"nothing to see"}' WHERE seq = ${seq}`);

      for (const a of agents) {
        const r = await verifyAs(url, a);
        expect(r).toMatchObject({ ok: false, first_bad_seq: seq });
        expect(r.reason).toBe(`agent web-2's chain: seq ${seq} does not match its hash: the row was edited`);
        expect(r.chains!.map((c) => [c.agent, c.ok])).toEqual([
          ["web-1", true],
          ["web-2", false],
          ["web-3", true],
        ]);
        expect(r.chains![1]).toMatchObject({ first_bad_seq: seq, count: 20 });
      }
      // web-1 and web-3 answer for their own chains: they start. web-2 does not, naming the row.
      const again = await agent(url, one.name, one.dataDir);
      await again.close();
      const err = await agent(url, two.name, two.dataDir).catch((e: unknown) => e);
      expect(isVigilError(err, "AUDIT_TAMPERED")).toBe(true);
      expect((err as Error).message).toContain(`seq ${seq} does not match its hash`);
      // Accepting the reset starts a new chain for web-2; the edit stays on the record of its reset.
      const reset = await agent(url, two.name, two.dataDir, true);
      expect(reset.reset).toMatchObject({ chain: "web-2", type: "audit.reset" });
      await reset.close();
      const after = await verifyAs(url, three);
      expect(after.chains!.find((c) => c.agent === "web-2")).toMatchObject({
        ok: true,
        resets: [{ before: `seq ${seq} does not match its hash: the row was edited` }],
      });
      expect(after.ok).toBe(true);
    },
  );

  it(
    "a chain's last row deleted is caught by its agent's anchor, on file and in the running agent",
    slow,
    async () => {
      const url = await freshSchema();
      const agents = await interleaved(url);
      const [one, two] = agents as [(typeof agents)[0], (typeof agents)[0]];
      // web-1 writes after web-2's last row, so the row cut is not the table's last.
      await two.audit.append([ev(90_001)]);
      const last = two.audit.head!;
      await one.audit.append([ev(90_002)]);
      await two.keeper.flush();
      expect(readAnchor(two.dataDir, readAuditKey(two.dataDir))).toMatchObject({
        state: "ok",
        anchor: { chain: "web-2", seq: last.seq, hash: last.hash },
      });
      await tamper(url, `DELETE FROM audit_events WHERE seq = ${last.seq}`);

      const running = await two.audit.verify();
      expect(running.ok).toBe(false);
      expect(running.chains!.find((c) => !c.ok)).toMatchObject({ agent: "web-2", first_bad_seq: last.seq });
      expect(running.reason).toContain(`agent web-2's chain: chain ends at seq`);
      expect(running.reason).toContain(`anchor says ${last.seq}`);
      await Promise.all(agents.map((a) => a.close()));

      const offline = await verifyAs(url, two);
      expect(offline.chains!.map((c) => [c.agent, c.ok])).toEqual([
        ["web-1", true],
        ["web-2", false],
        ["web-3", true],
      ]);
      const err = await agent(url, two.name, two.dataDir).catch((e: unknown) => e);
      expect(isVigilError(err, "AUDIT_TAMPERED")).toBe(true);
      expect((err as Error).message).toContain(`anchor says ${last.seq} (audit.anchor)`);
    },
  );

  it(
    "a store of the single shared chain verifies after the upgrade, its end anchored by every agent's chain",
    slow,
    async () => {
      const url = await freshSchema();
      // Two agents of the older version: one chain, each row MACed by its writer, each anchor (v1) at
      // that agent's newest row.
      const db = new PostgresDb(url);
      await db.exec(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      );
      for (const m of migrations.filter((m) => m.version <= 17)) {
        await db.exec(m.postgres);
        await db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, 0)", [
          m.version,
          m.name,
        ]);
      }
      const old = [
        {
          name: "web-1",
          dataDir: tempDir(),
          key: undefined as ReturnType<typeof createAuditKey> | undefined,
        },
        {
          name: "web-2",
          dataDir: tempDir(),
          key: undefined as ReturnType<typeof createAuditKey> | undefined,
        },
      ];
      for (const o of old) o.key = createAuditKey(o.dataDir);
      const sealed = makeSealer(new Redactor())(
        undefined,
        Array.from({ length: 6 }, (_, i) => ev(i + 1)),
      );
      for (const [i, r] of sealed.entries()) {
        await db.run(
          "INSERT INTO audit_events (seq, ts, actor, type, subject, payload, prev_hash, hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          [
            r.seq,
            r.ts,
            r.actor,
            r.type,
            r.subject,
            r.payload,
            r.prev_hash,
            r.hash,
            old[i % 2]!.key!.mac(r.hash),
          ],
        );
      }
      await db.close();
      for (const [k, o] of old.entries()) {
        const head = sealed[4 + k]!;
        await writeAnchor(o.dataDir, { seq: head.seq, hash: head.hash, mac_from: 1, at: 1 }, o.key!);
      }

      const [one, two] = [
        await agent(url, "web-1", old[0]!.dataDir),
        await agent(url, "web-2", old[1]!.dataDir),
      ];
      // Until it writes, an agent's anchor keeps holding the old chain where it had it.
      await one.keeper.flush();
      expect(readAnchor(one.dataDir, readAuditKey(one.dataDir))).toMatchObject({ anchor: { seq: 5 } });
      await one.audit.append([ev(7)]);
      await two.audit.append([ev(8)]);
      await one.audit.append([ev(9)]);
      const rows = await one.audit.page(0, 10);
      expect(rows.slice(6).map((r) => [r.chain, r.prev_hash])).toEqual([
        ["web-1", sealed[5]!.hash],
        ["web-2", sealed[5]!.hash],
        ["web-1", rows[6]!.hash],
      ]);
      const seen = await one.audit.verify();
      expect(seen).toMatchObject({ ok: true, count: 9, last_seq: 9 });
      expect(seen.chains).toMatchObject([
        { agent: null, ok: true, count: 6, mac_checked: 3, mac_unchecked: { rows: 3 } },
        { agent: "web-1", ok: true, count: 2, mac_checked: 2 },
        { agent: "web-2", ok: true, count: 1, mac_checked: 0 },
      ]);
      await one.close();
      await two.close();
      expect(readAnchor(one.dataDir, readAuditKey(one.dataDir))).toMatchObject({
        anchor: { chain: "web-1", seq: 9, mac_from: 0 },
      });

      // The old chain's last row cut: no anchor file holds it any more, but both agents' chains link to it.
      await tamper(url, "DELETE FROM audit_events WHERE seq = 6");
      const r = await verifyAs(url, one);
      expect(r.ok).toBe(false);
      expect(r.chains!.filter((c) => !c.ok).map((c) => [c.agent, c.first_bad_seq])).toEqual([
        ["web-1", 7],
        ["web-2", 8],
      ]);
      for (const o of old) fs.rmSync(path.join(o.dataDir), { recursive: true, force: true });
    },
  );
});
