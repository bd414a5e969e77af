import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { NewEvent, StoredEvent } from "../core/events.ts";
import { Redactor } from "../core/redact.ts";
import { isVigilError } from "../core/errors.ts";
import type { ChainRow } from "../store/store.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { auditAnchorFile, encodeAnchor, readAnchor, writeAnchor } from "./anchor.ts";
import { GENESIS, makeSealer } from "./chain.ts";
import { AuditKey, auditKeyFile, createAuditKey, readAuditKey } from "./key.ts";
import { verifyChain } from "./verify.ts";

const ev = (n: number, type = "agent.stopped"): NewEvent =>
  ({
    type,
    subject: "agent",
    actor: "test",
    payload: { reason: `r${n}` },
    ts: 1_700_000_000_000 + n,
  }) as NewEvent;

const key = new AuditKey(Buffer.alloc(32, 7));
const otherKey = new AuditKey(Buffer.alloc(32, 9));

/** Rows as the store would hold them: sealed after `tip`, MACed by `by` (or not at all). */
function rows(
  from: number,
  n: number,
  by: AuditKey | undefined,
  tip?: StoredEvent,
  restart = false,
): ChainRow[] {
  const seal = makeSealer(new Redactor(), { restart });
  const sealed = seal(
    tip ? { seq: tip.seq, hash: tip.hash } : undefined,
    Array.from({ length: n }, (_, i) => ev(from + i)),
  );
  return sealed.map((r) => ({ ...r, mac: by ? by.mac(r.hash) : null }));
}

/** A scan over these pages, as `store.scanEvents` gives one (verify may walk it twice). */
const pages = (...all: ChainRow[][]) =>
  async function* (): AsyncGenerator<ChainRow[]> {
    for (const p of all) yield p;
  };

describe("verify: MACs", () => {
  it("holds every row to its MAC", async () => {
    const chain = rows(1, 5, key);
    expect(await verifyChain(pages(chain), { key })).toEqual({ ok: true, count: 5, last_seq: 5 });
  });

  it("names a row whose MAC does not match (hashes recomputed by someone without the key)", async () => {
    const chain = rows(1, 5, key);
    chain[2] = { ...chain[2]!, mac: `${key.id}:${"0".repeat(32)}` };
    expect(await verifyChain(pages(chain), { key })).toMatchObject({
      ok: false,
      first_bad_seq: 3,
      last_seq: 2,
      reason:
        "seq 3 does not match its MAC: the row was rewritten and its hashes recomputed by someone without audit.key",
    });
  });

  it("reports rows from before the key as not MACed, not as tampering", async () => {
    const old = rows(1, 3, undefined);
    const chain = [...old, ...rows(4, 2, key, old.at(-1))];
    expect(await verifyChain(pages(chain), { key })).toEqual({
      ok: true,
      count: 5,
      last_seq: 5,
      not_maced_before: 4,
    });
  });

  it("with one writer, refuses a row without a MAC after MACed ones, or MACed by another key", async () => {
    const a = rows(1, 2, key);
    const stripped = [...a, ...rows(3, 1, undefined, a.at(-1))];
    expect(await verifyChain(pages(stripped), { key })).toMatchObject({
      ok: false,
      first_bad_seq: 3,
      reason: "seq 3 has no MAC, though the rows before it have one: the row was replaced",
    });
    const foreign = [...a, ...rows(3, 1, otherKey, a.at(-1))];
    expect((await verifyChain(pages(foreign), { key })).reason).toBe(
      `seq 3 is MACed by key ${otherKey.id}, not by this agent's audit.key (${key.id}): the key was replaced, or the row forged`,
    );
  });

  it("with several writers (a fleet), counts other agents' rows as unchecked instead", async () => {
    const a = rows(1, 2, key);
    const b = rows(3, 2, otherKey, a.at(-1));
    const c = rows(5, 1, undefined, b.at(-1));
    expect(await verifyChain(pages([...a, ...b, ...c]), { key, singleWriter: false })).toEqual({
      ok: true,
      count: 5,
      last_seq: 5,
      mac_unchecked: {
        rows: 3,
        why: [
          `MACed by another agent's key (${otherKey.id})`,
          "rows without a MAC (written by an agent of an older version?)",
        ],
      },
    });
  });

  it("without a key, says MACs were not checked", async () => {
    expect(await verifyChain(pages(rows(1, 2, key)))).toMatchObject({
      ok: true,
      mac_unchecked: { rows: 2, why: ["no audit key at hand (agent.data_dir/audit.key)"] },
    });
  });
});

describe("verify: anchors", () => {
  it("names rows cut off the end: the chain ends before the anchor", async () => {
    const chain = rows(1, 5, key);
    const r = await verifyChain(pages(chain.slice(0, 3)), {
      key,
      anchors: [{ source: "audit.anchor", seq: 5, hash: chain[4]!.hash }],
    });
    expect(r).toMatchObject({
      ok: false,
      first_bad_seq: 4,
      reason: "chain ends at seq 3, anchor says 5 (audit.anchor): the events after seq 3 were deleted",
    });
    expect(
      await verifyChain(pages(), { anchors: [{ source: "audit.anchor", seq: 5, hash: "ab".repeat(32) }] }),
    ).toMatchObject({
      ok: false,
      reason: "chain ends at seq 0, anchor says 5 (audit.anchor): the events after seq 0 were deleted",
    });
  });

  it("names a chain rewritten up to the anchor, and takes a hash prefix as notifications carry it", async () => {
    const chain = rows(1, 4, undefined);
    const ok = await verifyChain(pages(chain), {
      anchors: [{ source: "--anchor", seq: 3, hash: chain[2]!.hash.slice(0, 8) }],
    });
    expect(ok).toMatchObject({ ok: true, anchors: [{ source: "--anchor", seq: 3, ok: true }] });
    const bad = await verifyChain(pages(chain), {
      anchors: [{ source: "--anchor", seq: 3, hash: "00000000" }],
    });
    expect(bad).toMatchObject({ ok: false, first_bad_seq: 3 });
    expect(bad.reason).toBe(
      `seq 3 has hash #${chain[2]!.hash.slice(0, 8)}, but --anchor says #00000000: the chain up to it was rewritten`,
    );
  });

  it("holds rows from the anchor's mac_from to a MAC, even with none before them", async () => {
    const chain = rows(1, 3, undefined);
    const r = await verifyChain(pages(chain), {
      key,
      anchors: [{ source: "audit.anchor", seq: 3, hash: chain[2]!.hash, mac_from: 1 }],
    });
    expect(r).toMatchObject({ ok: false, first_bad_seq: 1 });
    expect(r.reason).toContain("seq 1 has no MAC, but the anchor says rows from seq 1 on carry one");
  });
});

describe("verify: what a vouching anchor proves", () => {
  it("rows up to it are proven by the chain; their HMACs are not computed", async () => {
    const chain = rows(1, 5, key);
    // A MAC column damaged on a row the signed anchor pins: the row itself is still the one written.
    chain[1] = { ...chain[1]!, mac: `${key.id}:${"0".repeat(32)}` };
    const anchors = [{ source: "audit.anchor", seq: 4, hash: chain[3]!.hash, vouches: true }];
    expect(await verifyChain(pages(chain), { key, anchors })).toMatchObject({ ok: true, last_seq: 5 });
    // After the anchor, every MAC is computed.
    const after = rows(1, 5, key);
    after[4] = { ...after[4]!, mac: `${key.id}:${"0".repeat(32)}` };
    expect(await verifyChain(pages(after), { key, anchors })).toMatchObject({ ok: false, first_bad_seq: 5 });
  });

  it("when the walk fails, it walks again checking every MAC, to name the rewritten row", async () => {
    const chain = rows(1, 5, key);
    const anchors = [{ source: "audit.anchor", seq: 5, hash: chain[4]!.hash, vouches: true }];
    // seq 3 edited, every hash from it recomputed: the anchor no longer matches, and the MAC says where.
    const seal = makeSealer(new Redactor());
    const rewritten = [
      ...chain.slice(0, 2),
      ...seal({ seq: 2, hash: chain[1]!.hash }, [ev(99), ev(4), ev(5)]).map((r, i) => ({
        ...r,
        mac: chain[2 + i]!.mac,
      })),
    ];
    expect(await verifyChain(pages(rewritten), { key, anchors })).toMatchObject({
      ok: false,
      first_bad_seq: 3,
      reason: expect.stringContaining("seq 3 does not match its MAC") as unknown,
    });
  });
});

describe("verify: resets", () => {
  it("a MACed audit.reset starts a new chain: what was wrong before is listed, not held against it", async () => {
    const old = rows(1, 4, key);
    old[1] = { ...old[1]!, actor: "someone-else" };
    const seal = makeSealer(new Redactor(), { restart: true });
    const [reset] = seal({ seq: 4, hash: old[3]!.hash }, [
      {
        type: "audit.reset",
        subject: "audit",
        actor: "vigil",
        ts: 1,
        payload: { found: ["seq 2 was edited"], previous_tip_seq: 4, anchor_seq: 4, accepted_by: "me" },
      },
    ]);
    expect(reset!.prev_hash).toBe(GENESIS);
    const after = rows(6, 2, key, reset);
    const chain = [...old, { ...reset!, mac: key.mac(reset!.hash) }, ...after];
    expect(await verifyChain(pages(chain), { key })).toMatchObject({
      ok: true,
      last_seq: 7,
      resets: [
        { seq: 5, found: ["seq 2 was edited"], before: "seq 2 does not match its hash: the row was edited" },
      ],
    });
    // Without a MAC that holds, a row calling itself a reset is just a row that does not link.
    const forged = [...old, { ...reset!, mac: otherKey.mac(reset!.hash) }, ...after];
    expect(await verifyChain(pages(forged), { key })).toMatchObject({ ok: false, first_bad_seq: 2 });
  });
});

describe("the key and anchor files", () => {
  it("makes the key 0600 once, reads it back, and refuses a file that is not a key", () => {
    const dir = tempDir();
    expect(readAuditKey(dir)).toBeUndefined();
    const made = createAuditKey(dir);
    expect(fs.statSync(auditKeyFile(dir)).mode & 0o777).toBe(0o600);
    expect(readAuditKey(dir)!.id).toBe(made.id);
    fs.writeFileSync(auditKeyFile(dir), "not a key\n");
    const err = (() => {
      try {
        return readAuditKey(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(isVigilError(err, "AUDIT_TAMPERED")).toBe(true);
  });

  it("writes the anchor signed and atomically, and refuses one edited or signed by another key", async () => {
    const dir = tempDir();
    const anchor = { seq: 12, hash: "ab".repeat(32), mac_from: 1, at: 5 };
    await writeAnchor(dir, anchor, key);
    expect(readAnchor(dir, key)).toEqual({ state: "ok", anchor, signature: "valid" });
    expect(fs.readdirSync(dir)).toEqual(["audit.anchor"]);
    expect(readAnchor(dir, otherKey)).toMatchObject({ state: "invalid" });
    fs.writeFileSync(auditAnchorFile(dir), encodeAnchor(anchor, key).replace('"seq":12', '"seq":11'));
    const edited = readAnchor(dir, key);
    expect(edited.state === "invalid" && edited.problem).toContain("not signed by audit.key");
    expect(readAnchor(tempDir(), key)).toEqual({ state: "missing" });
  });

  it("never writes the anchor through a planted link", async () => {
    const dir = tempDir();
    const target = path.join(tempDir(), "elsewhere");
    fs.writeFileSync(target, "mine\n");
    fs.symlinkSync(target, auditAnchorFile(dir));
    await writeAnchor(dir, { seq: 1, hash: "cd".repeat(32), mac_from: 1, at: 1 }, key);
    expect(fs.readFileSync(target, "utf8")).toBe("mine\n");
    expect(fs.lstatSync(auditAnchorFile(dir)).isSymbolicLink()).toBe(false);
  });
});
