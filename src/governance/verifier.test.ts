import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EventBus, type NewEvent, type StoredEvent } from "../core/events.ts";
import { VigilError } from "../core/errors.ts";
import { FakeClock } from "../../test/helpers/clock.ts";
import { claimSources } from "../../test/helpers/claim-sources.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { falseNoticeWindowMs, maxRemembered, Verifier } from "./verifier.ts";

function setup(remember?: number) {
  const clock = new FakeClock();
  const events: StoredEvent[] = [];
  const bus = new EventBus({
    clock,
    onListenerError: (e) => {
      throw e;
    },
    sink: {
      append: async (batch: NewEvent[]) => {
        const stored = batch.map((e, i) => ({
          ...e,
          seq: events.length + i + 1,
          payload: JSON.stringify(e.payload),
          prev_hash: "",
          hash: "",
        }));
        events.push(...stored);
        return stored;
      },
    },
  });
  const root = tempDir("vigil-verifier-");
  const verifier = new Verifier({
    bus,
    clock,
    sources: claimSources({ paths: () => [root], now: () => clock.now() }),
    timeoutMs: () => 2_000,
    ...(remember ? { remember } : {}),
  });
  const of = (type: string) =>
    events
      .filter((e) => e.type === type)
      .map((e) => ({ ...e, p: JSON.parse(e.payload) as Record<string, unknown> }));
  return { clock, verifier, of, root };
}

const claude = { by: "claude", source: "api" } as const;

describe("the claim verifier", () => {
  it("audits every verdict with who claimed it, and says what it saw", async () => {
    const { verifier, of, root } = setup();
    fs.writeFileSync(path.join(root, "ok.txt"), "done");
    const t = await verifier.verify(`${root}/ok.txt contains "done"`, claude);
    const u = await verifier.verify("tests pass", { by: "worker-7", source: "watcher" });
    expect(t.verdict).toBe("TRUE");
    expect(u).toMatchObject({ verdict: "UNVERIFIABLE", evidence: "no check for 'tests pass'", checks: [] });
    const audited = of("claim.verified");
    expect(audited.map((e) => [e.actor, e.subject, e.p.verdict, e.p.source, e.p.by])).toEqual([
      ["claude", "claim", "TRUE", "api", "claude"],
      ["worker-7", "claim", "UNVERIFIABLE", "watcher", "worker-7"],
    ]);
    expect(audited[0]!.p.checks).toEqual(t.checks);
    expect(of("claim.false")).toHaveLength(0);
  });

  it("tells a FALSE claim once per claim text per hour, then again", async () => {
    const { verifier, of, clock, root } = setup();
    const claim = `Created file ${root}/report.txt`;
    for (let i = 0; i < 3; i++) expect((await verifier.verify(claim, claude)).verdict).toBe("FALSE");
    // The same text with other spacing and case is the same claim.
    await verifier.verify(`  created   FILE ${root}/report.txt`, claude);
    expect(of("claim.verified")).toHaveLength(4);
    expect(of("claim.false")).toHaveLength(1);
    expect(of("claim.false")[0]!.p).toMatchObject({ verdict: "FALSE", claim, by: "claude" });
    await verifier.verify(`Created file ${root}/other.txt`, claude);
    expect(of("claim.false")).toHaveLength(2);
    await clock.advance(falseNoticeWindowMs - 1);
    await verifier.verify(claim, claude);
    expect(of("claim.false")).toHaveLength(2);
    await clock.advance(1);
    await verifier.verify(claim, claude);
    expect(of("claim.false")).toHaveLength(3);
  });

  it("remembers a bounded number of claim texts", async () => {
    const bound = 50;
    const { verifier, of, root } = setup(bound);
    for (let i = 0; i <= bound; i++) await verifier.verify(`${root}/f${i} exists`, claude);
    expect(of("claim.false")).toHaveLength(bound + 1);
    // The oldest was forgotten to keep the bound: told again; a recent one is not.
    await verifier.verify(`${root}/f0 exists`, claude);
    await verifier.verify(`${root}/f${bound} exists`, claude);
    expect(of("claim.false")).toHaveLength(bound + 2);
    expect(maxRemembered).toBeGreaterThanOrEqual(1_000);
  });

  it("refuses an empty or too long claim, naming the field", async () => {
    const { verifier, of } = setup();
    for (const claim of ["", "   ", "x".repeat(2_001)]) {
      const err = await verifier.verify(claim, claude).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VigilError);
      expect(err).toMatchObject({ code: "VALIDATION_FAILED" });
      expect((err as Error).message).toMatch(/^claim: /);
    }
    expect(of("claim.verified")).toHaveLength(0);
  });

  it("does not audit a URL's password", async () => {
    const { verifier, of } = setup();
    await verifier.verify("http://admin:s3cret@127.0.0.1:1/ returns 200", claude);
    expect(of("claim.verified")[0]!.payload).not.toContain("s3cret");
  });
});
