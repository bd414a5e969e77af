import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { Lifecycle } from "./lifecycle.ts";
import { Redactor, REDACTED } from "./redact.ts";
import { Registry } from "./registry.ts";

describe("durations", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1.5s", 1_500],
  ])("%s is %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["5 minutes", "5", "m", "-1s", "1w", ""])("rejects %j", (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );

  it("formats the shortest exact unit", () => {
    expect([90_000, 7_200_000, 1_500, 60_000].map(formatDuration)).toEqual(["90s", "2h", "1500ms", "1m"]);
  });
});

describe("canonical JSON", () => {
  it("sorts keys at every depth and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe("redaction", () => {
  it("redacts by key name and by known value, deeply, without touching the input", () => {
    const r = new Redactor().addSecrets(["tok-123456", "ab"]);
    const input = {
      headers: { Authorization: "Bearer x" },
      bot_token: "1:2",
      msg: "got tok-123456 back",
      list: ["tok-123456"],
      ok: "ab",
    };
    expect(r.redact(input)).toEqual({
      headers: { Authorization: REDACTED },
      bot_token: REDACTED,
      msg: `got ${REDACTED} back`,
      list: [REDACTED],
      ok: "ab", // too short to scrub from free text
    });
    expect(input.msg).toBe("got tok-123456 back");
  });

  it("redacts secrets containing regex characters", () => {
    expect(new Redactor().addSecrets(["a.b*c(d)"]).redactString("x a.b*c(d) y")).toBe(`x ${REDACTED} y`);
  });

  it("stops at a bounded depth on cyclic values", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => new Redactor().redact(a)).not.toThrow();
  });
});

describe("lifecycle", () => {
  it("runs cleanups in reverse and keeps going past a failure", async () => {
    const order: string[] = [];
    const l = new Lifecycle();
    l.defer("a", () => void order.push("a"));
    l.defer("b", () => {
      throw new Error("b broke");
    });
    l.defer("c", async () => void order.push("c"));
    const failed = await l.close();
    expect(order).toEqual(["c", "a"]);
    expect(failed.map((f) => f.name)).toEqual(["b"]);
    expect(() => l.defer("late", () => undefined)).toThrow(/closed/);
  });
});

describe("registry", () => {
  it("refuses a name registered twice", () => {
    const r = new Registry<number>("probe").register("http", 1);
    expect(() => r.register("http", 2)).toThrow('probe "http" is registered twice');
    expect(r.get("http")).toBe(1);
    expect(r.names()).toEqual(["http"]);
  });
});
