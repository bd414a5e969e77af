/**
 * The contract every claim kind keeps, run for each kind found in this folder: its examples are read
 * as its claims (and not taken by a kind asked before it), its refusals are not; parsing never
 * throws; and with the claim's time already run out it looks at nothing and says so.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pluginFiles } from "../../../core/plugins.ts";
import { readClaim } from "../index.ts";
import type { KnownNames } from "../kind.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";
import { claimKinds } from "./index.ts";

const types = claimKinds.names();
/** Names the examples may rely on being this agent's. */
const known: KnownNames = {
  targets: new Set(["api", "web", "disk", "worker"]),
  containers: new Set(["web"]),
  actions: new Set(["backup-db", "reindex"]),
  jobs: new Set(["nightly"]),
};

describe("the claim-kind registry", () => {
  it("holds every file of the folder but its index, each by its file name", () => {
    const files = pluginFiles({
      from: new URL("./index.ts", import.meta.url).href,
      infrastructure: ["index"],
    });
    expect(files.map((f) => path.basename(f, ".ts"))).toEqual(types);
    expect(types).toEqual(
      expect.arrayContaining(["process", "port", "file", "http", "target", "disk", "memory"]),
    );
  });
});

describe.each(types)("the %s claim kind", (type) => {
  const kind = claimKinds.get(type)!;

  it("describes itself and has examples and refusals", () => {
    expect(kind.description.length).toBeGreaterThan(10);
    expect(kind.examples.length).toBeGreaterThanOrEqual(3);
    expect(kind.refuses.length).toBeGreaterThanOrEqual(3);
  });

  it("reads each example as its own claim, with no part left unread", () => {
    for (const text of kind.examples) {
      const parts = readClaim(text, known);
      expect(parts, text).toHaveLength(1);
      expect(parts[0], text).toMatchObject({ kind: type });
    }
  });

  it("leaves its refusals alone: no claim of its kind is read from them", () => {
    for (const text of kind.refuses) {
      for (const p of readClaim(text, known))
        expect("kind" in p && p.kind === type, `${text} → ${JSON.stringify(p)}`).toBe(false);
    }
  });

  it("never throws while parsing, whatever the text", () => {
    const junk = [
      "",
      " ",
      "is",
      "'''",
      '"',
      "a".repeat(5_000),
      "/".repeat(3_000),
      "port 99999999999 is open",
      "http://",
      "\u0000\uffff",
    ];
    for (const text of junk) expect(() => kind.parse({ text }, known)).not.toThrow();
  });

  it("looks at nothing once the claim's time has run out, and says so promptly", async () => {
    const parsed = kind.parse({ text: kind.examples[0]! }, known);
    if (!parsed || !("claim" in parsed)) throw new Error(`${kind.examples[0]} is not read as a claim`);
    const started = performance.now();
    const got = await kind.observe(parsed.claim, claimSources({ paths: () => ["/"] }), AbortSignal.abort());
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(got.length).toBeGreaterThan(0);
    for (const o of got) expect(o, JSON.stringify(o)).toMatchObject({ ok: false, unverifiable: true });
  });
});
