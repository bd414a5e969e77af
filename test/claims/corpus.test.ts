/**
 * Issue 17's measured goal, against a real machine state and the real agent: every claim of the
 * corpus through POST /api/verify with an agent-role token. Never TRUE for a claim that is not
 * true; at least 95 % of verifiable claims answered with their label; no host outside
 * governance.verify.hosts contacted; nothing a claim names run. A failure prints the mismatches.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent } from "../helpers/agent.ts";
import { categories, corpus } from "./corpus.ts";
import { mismatchTable, runCorpus, summarize, type Outcome } from "./run-corpus.ts";
import { setUpMachine, type Machine } from "./state.ts";

/** Whether a TCP connection to 127.0.0.1:port opens. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port, timeout: 2_000 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.once("timeout", () => done(false));
  });
}

describe("the claims corpus", () => {
  it("has at least 100 verifiable claims, roughly as many TRUE as FALSE, and every category", () => {
    const count = (label: string) => corpus.filter((c) => c.label === label).length;
    expect(count("TRUE") + count("FALSE")).toBeGreaterThanOrEqual(110);
    expect(count("UNVERIFIABLE")).toBeGreaterThanOrEqual(20);
    expect(Math.abs(count("TRUE") - count("FALSE"))).toBeLessThanOrEqual(
      0.15 * (count("TRUE") + count("FALSE")),
    );
    const seen = new Set(corpus.map((c) => c.category));
    expect(categories.filter((c) => !seen.has(c))).toEqual([]);
    // Each category both ways, where it can be: a verifier that always answers one verdict for a
    // kind of claim must not score.
    for (const category of categories.filter((c) => !["unverifiable", "trap", "container"].includes(c))) {
      const labels = new Set(corpus.filter((c) => c.category === category).map((c) => c.label));
      expect([category, [...labels].sort()]).toEqual([category, ["FALSE", "TRUE"]]);
    }
    expect(new Set(corpus.map((c) => c.claim)).size, "no claim twice").toBe(corpus.length);
  });
});

describe("the corpus through POST /api/verify", () => {
  let machine: Machine;
  let outcomes: Outcome[];
  beforeAll(async () => {
    machine = await setUpMachine((yaml, dir) => startAgent(yaml, { dir }));
    outcomes = await runCorpus(machine);
  }, 180_000);
  afterAll(async () => {
    await machine?.teardown();
  });

  it("runs on the machine the labels describe (checked here without the verifier)", async () => {
    const v = machine.vars;
    const programs = new Set<string>();
    for (const pid of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e)))
      try {
        programs.add(path.basename(fs.readlinkSync(`/proc/${pid}/exe`)));
      } catch {
        // gone, or not ours to read
      }
    const running = ["alpha", "beta", "nginx", "longworker", "gamma", "stopped", "ghost"].filter((n) =>
      programs.has(`vigil-cx-${n}`),
    );
    expect(running).toEqual(["alpha", "beta", "nginx", "longworker"]);
    const ports = ["web", "queue", "site", "apiPort", "closedA", "closedB", "httpDown", "dbPort"];
    const open = await Promise.all(ports.map((p) => connects(Number(v[p]))));
    expect(Object.fromEntries(ports.map((p, i) => [p, open[i]]))).toEqual({
      ...Object.fromEntries(ports.slice(0, 4).map((p) => [p, true])),
      ...Object.fromEntries(ports.slice(4).map((p) => [p, false])),
    });
    const site = `http://127.0.0.1:${v.site}`;
    const status = async (p: string) => (await fetch(site + p, { redirect: "manual" })).status;
    expect(await Promise.all(["/health", "/missing", "/boom", "/old", "/gone"].map(status))).toEqual([
      200, 404, 500, 302, 301,
    ]);
    const size = (f: string) => fs.statSync(path.join(v.out!, f)).size;
    expect([size("big.bin"), size("medium.csv"), size("empty.log")]).toEqual([
      3 * 1024 * 1024,
      600 * 1024,
      0,
    ]);
  });

  it("answers every claim with a verdict: no error status, no timeout", () => {
    const errors = outcomes.filter((o) => o.verdict === "ERROR");
    expect(errors.length, `claims without a verdict:\n${mismatchTable(errors)}`).toBe(0);
  });

  it("never answers TRUE to a claim that is FALSE or UNVERIFIABLE", () => {
    const wrong = summarize(outcomes).trueForNotTrue;
    expect(wrong, `TRUE for claims that are not true:\n${mismatchTable(wrong)}`).toEqual([]);
  });

  it("answers at least 95 % of the verifiable claims with their label", () => {
    const s = summarize(outcomes);
    const report = `${s.verifiableRight}/${s.verifiable} right; mismatches:\n${mismatchTable(outcomes)}`;
    expect(s.accuracy, report).toBeGreaterThanOrEqual(0.95);
  });

  it("contacts no host outside governance.verify.hosts and runs nothing a claim names", () => {
    expect(machine.forbiddenContacts(), "connections to 127.0.0.2").toBe(0);
    expect(fs.existsSync(machine.canary), `${machine.canary} was created`).toBe(false);
  });
});
