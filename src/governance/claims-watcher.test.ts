/**
 * The claims watcher on a real file in a temp folder: where it starts, what it skips, restarts and
 * crashes (no claim twice, none lost), rotation, truncation, read-ahead. The verifier is a small real
 * one that records each call as the agent's audit log would, with a seq.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../core/log.ts";
import { FakeClock } from "../../test/helpers/clock.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import {
  ClaimsWatcher,
  type ClaimsWatcherOptions,
  type SkippedLine,
  type WatchPosition,
} from "./claims-watcher.ts";
import type { ClaimOrigin, ClaimVerifier, Verdict } from "./types.ts";

/** Records every claim as the audit log would: one entry, one seq. */
class RecordingVerifier implements ClaimVerifier {
  readonly audited: { claim: string; by: string; source: string }[] = [];
  active = 0;
  maxActive = 0;
  /** The call for this claim waits on `promise`, recorded before it (audited, then killed) or not. */
  gate: { claim: string; promise: Promise<void>; record: "before" | "after" } | undefined;
  failures = 0;

  async verify(claim: string, origin: ClaimOrigin): Promise<Verdict> {
    this.maxActive = Math.max(this.maxActive, ++this.active);
    try {
      if (this.failures > 0) {
        this.failures--;
        throw new Error("store unavailable");
      }
      const gate = this.gate?.claim === claim ? this.gate : undefined;
      if (gate?.record === "before") this.audited.push({ claim, ...origin });
      if (gate) await gate.promise;
      if (gate?.record !== "before") this.audited.push({ claim, ...origin });
      await Promise.resolve();
      return { verdict: "UNVERIFIABLE", claim, checks: [], evidence: "test" };
    } finally {
      this.active--;
    }
  }

  claims(): string[] {
    return this.audited.map((a) => a.claim);
  }
}

class MemoryPositions {
  saved: WatchPosition | undefined;
  load = async () => (this.saved ? structuredClone(this.saved) : undefined);
  save = async (p: WatchPosition) => void (this.saved = structuredClone(p));
}

const watchers: ClaimsWatcher[] = [];
afterEach(async () => {
  while (watchers.length > 0) await watchers.pop()!.stop();
});

function setup(over: Partial<ClaimsWatcherOptions> = {}) {
  const dir = tempDir("vigil-claims-");
  const file = path.join(dir, "claims_audit.jsonl");
  const verifier = new RecordingVerifier();
  const positions = new MemoryPositions();
  const skipped: SkippedLine[] = [];
  const clock = new FakeClock();
  const make = (more: Partial<ClaimsWatcherOptions> = {}) => {
    const w = new ClaimsWatcher({
      file,
      field: "claim",
      by: "worker",
      verifier,
      positions,
      auditHead: () => verifier.audited.length,
      verifiedSince: async (seq, claim, by) =>
        verifier.audited.slice(seq).some((a) => a.claim === claim && a.by === by),
      skipped: async (s) => void skipped.push(s),
      clock,
      log: silentLogger(),
      ...over,
      ...more,
    });
    watchers.push(w);
    return w;
  };
  const append = (...lines: unknown[]) =>
    fs.appendFileSync(
      file,
      lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)) + "\n").join(""),
    );
  const claim = (text: string, worker = "wingman-1") => ({ claim: text, worker, ts: "2026-12-06T14:00:00Z" });
  return { dir, file, verifier, positions, skipped, clock, make, append, claim };
}

describe("ClaimsWatcher", () => {
  it("starts from the end of the file the first time, then verifies each new claim naming its worker", async () => {
    const t = setup();
    t.append(t.claim("old news: process nginx is running"));
    const w = t.make();
    await w.start();
    t.append(t.claim("Process postgres is running"), t.claim("Port 5432 is listening", "wingman-2"));
    await w.poll();
    expect(t.verifier.audited).toEqual([
      { claim: "Process postgres is running", by: "wingman-1", source: "watcher" },
      { claim: "Port 5432 is listening", by: "wingman-2", source: "watcher" },
    ]);
  });

  it("reads every line of a file that appears after the start, with the configured field names", async () => {
    const t = setup({ field: "text", by: "agent" });
    const w = t.make();
    await w.start();
    await w.poll();
    t.append({ text: "File /tmp/x exists", agent: "coder" }, { text: "no worker named" });
    await w.poll();
    expect(t.verifier.audited.map((a) => [a.claim, a.by])).toEqual([
      ["File /tmp/x exists", "coder"],
      ["no worker named", "unknown"],
    ]);
  });

  it("skips malformed lines with one warning each, blank lines silently, and waits for a line's end", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append("not json", "[1, 2]", { claim: "   " }, { other: 1 }, "", t.claim("kept"));
    fs.appendFileSync(t.file, JSON.stringify(t.claim("half")).slice(0, 10));
    await w.poll();
    expect(t.verifier.claims()).toEqual(["kept"]);
    expect(t.skipped.map((s) => s.reason)).toEqual([
      "not JSON",
      "not a JSON object",
      'no text in "claim" (governance.claims.field)',
      'no text in "claim" (governance.claims.field)',
    ]);
    expect(t.skipped[0]!.offset).toBe(0);
    expect(t.skipped[1]!.offset).toBe("not json\n".length);
    fs.appendFileSync(t.file, JSON.stringify(t.claim("half")).slice(10) + "\n");
    await w.poll();
    expect(t.verifier.claims()).toEqual(["kept", "half"]);
  });

  it("holds warnings back past its budget and says how many it held", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append(...Array.from({ length: 30 }, (_, i) => `garbage ${i}`), t.claim("after the garbage"));
    await w.poll();
    expect(t.skipped).toHaveLength(20);
    expect(t.verifier.claims()).toEqual(["after the garbage"]);
    await t.clock.advance(10 * 60_000);
    t.append("more garbage");
    await w.poll();
    expect(t.skipped.at(-1)).toMatchObject({ reason: "not JSON", held: 10 });
  });

  it("skips a line far over the limit with one warning and reads on", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append(t.claim("x".repeat(200_000)), t.claim("y".repeat(20_000)), t.claim("short"));
    await w.poll();
    expect(t.verifier.claims()).toEqual(["short"]);
    expect(t.skipped.map((s) => s.reason)).toEqual(["longer than 16 KB", "longer than 16 KB"]);
  });

  it("remembers where it was across a restart: claims written while it was down are verified once", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const first = t.make();
    await first.start();
    t.append(t.claim("one"));
    await first.poll();
    await first.stop();
    t.append(t.claim("two"), t.claim("three"));
    const second = t.make();
    await second.start();
    await second.poll();
    expect(t.verifier.claims()).toEqual(["one", "two", "three"]);
  });

  for (const audited of [true, false]) {
    it(`after a crash ${audited ? "after" : "before"} a verdict was audited, that claim is verified exactly once`, async () => {
      const t = setup();
      fs.writeFileSync(t.file, "");
      const first = t.make();
      await first.start();
      let release = () => undefined as void;
      const promise = new Promise<void>((r) => (release = r));
      // "b" hangs, audited or not yet, as a kill -9 in the middle of its verification would leave it.
      t.verifier.gate = { claim: "b", promise, record: audited ? "before" : "after" };
      t.append(t.claim("a"), t.claim("b"), t.claim("c"));
      const polling = first.poll();
      try {
        await until(() => t.positions.saved?.doubt?.claim === "b" && t.verifier.active === 1);
        expect(t.verifier.claims()).toEqual(audited ? ["a", "b"] : ["a"]);
        // The crash: the next start finds the position as it was saved; the old process is gone.
        const positions = new MemoryPositions();
        positions.saved = structuredClone(t.positions.saved);
        t.verifier.gate = undefined;
        const second = t.make({ positions });
        await second.start();
        await second.poll();
        expect(t.verifier.claims()).toEqual(["a", "b", "c"]);
      } finally {
        release();
        await polling;
      }
    });
  }

  it("finishes a rotated file, then follows the new one from its start", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append(t.claim("one"));
    await w.poll();
    t.append(t.claim("two, written just before the rename"));
    fs.renameSync(t.file, `${t.file}.1`);
    await w.poll();
    t.append(t.claim("three, in the new file"));
    await w.poll();
    expect(t.verifier.claims()).toEqual([
      "one",
      "two, written just before the rename",
      "three, in the new file",
    ]);
  });

  it("finds the rotated file by its inode when the rotation happened while it was down", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const first = t.make();
    await first.start();
    t.append(t.claim("one"));
    await first.poll();
    await first.stop();
    t.append(t.claim("two"));
    fs.renameSync(t.file, `${t.file}.1`);
    t.append(t.claim("three"));
    const second = t.make();
    await second.start();
    await second.poll();
    expect(t.verifier.claims()).toEqual(["one", "two", "three"]);
  });

  it("reads a truncated file again from its start", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append(t.claim("a long first claim about process nginx"), t.claim("second"));
    await w.poll();
    fs.truncateSync(t.file, 0);
    t.append(t.claim("after"));
    await w.poll();
    expect(t.verifier.claims()).toEqual(["a long first claim about process nginx", "second", "after"]);
  });

  it("reads a file truncated and written past the old position between two polls from its start", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.append(t.claim("short"));
    await w.poll();
    fs.truncateSync(t.file, 0);
    t.append(t.claim("a new claim, longer than the one before it"));
    await w.poll();
    expect(t.verifier.claims()).toEqual(["short", "a new claim, longer than the one before it"]);
    expect(t.skipped).toEqual([]);
  });

  it("notices a truncation that happened while it was stopped", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const first = t.make();
    await first.start();
    t.append(t.claim("one"));
    await first.poll();
    await first.stop();
    fs.writeFileSync(t.file, JSON.stringify(t.claim("rewritten while down, and longer")) + "\n");
    const second = t.make();
    await second.start();
    await second.poll();
    expect(t.verifier.claims()).toEqual(["one", "rewritten while down, and longer"]);
  });

  it("verifies one claim at a time, in order, reading a bounded number of lines ahead", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make({ maxAhead: 7 });
    await w.start();
    const many = Array.from({ length: 250 }, (_, i) => `claim ${i}`);
    t.append(...many.map((c) => t.claim(c)));
    await w.poll();
    expect(t.verifier.claims()).toEqual(many);
    expect(t.verifier.maxActive).toBe(1);
  });

  it("tries a claim again when the verifier fails, and skips it with a warning after five failures", async () => {
    const t = setup();
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    t.verifier.failures = 2;
    t.append(t.claim("retried"));
    await w.poll();
    await w.poll();
    expect(t.verifier.claims()).toEqual([]);
    await w.poll();
    expect(t.verifier.claims()).toEqual(["retried"]);
    t.verifier.failures = 5;
    t.append(t.claim("poison"), t.claim("next"));
    for (let i = 0; i < 5; i++) await w.poll();
    expect(t.verifier.claims()).toEqual(["retried", "next"]);
    expect(t.skipped.at(-1)?.reason).toBe("verifying failed 5 times: store unavailable");
  });

  it("polls on its clock and stops polling when stopped", async () => {
    const t = setup({ pollMs: 1000 });
    fs.writeFileSync(t.file, "");
    const w = t.make();
    await w.start();
    await t.clock.advance(10);
    t.append(t.claim("seen by the timer"));
    await t.clock.advance(1000);
    await until(() => t.verifier.audited.length === 1);
    await w.stop();
    t.append(t.claim("after the stop"));
    await t.clock.advance(5000);
    expect(t.verifier.claims()).toEqual(["seen by the timer"]);
  });
});

async function until(f: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !f(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(f()).toBe(true);
}
