import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../core/log.ts";
import { Redactor } from "../core/redact.ts";
import { FailureLimiter, type FailedAttempt, type FailureLimiterOptions } from "./failure-limiter.ts";

function limiter(opts: FailureLimiterOptions = {}) {
  let now = 1_000_000;
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = createLogger({
    level: "info",
    redactor: new Redactor(),
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n").filter(Boolean))
          lines.push(JSON.parse(l) as (typeof lines)[number]);
        done();
      },
    }),
  });
  const seen = { failed: 0, lockouts: [] as string[], rateLimited: 0 };
  const l = new FailureLimiter({
    now: () => now,
    log,
    observer: {
      failed: () => seen.failed++,
      lockedOut: (scope) => seen.lockouts.push(scope),
      rateLimited: () => seen.rateLimited++,
    },
    ...opts,
  });
  return { l, lines, seen, advance: (ms: number) => (now += ms) };
}

const from = (address: string, ...identities: string[]): FailedAttempt => ({
  address,
  identities,
  reason: "unknown_token",
});

describe("FailureLimiter", () => {
  it("answers the limit-th failure as a failure and every one after it with a wait, until the window has room", () => {
    const { l, advance } = limiter({ limit: 3, windowMs: 60_000 });
    expect([l.fail(from("a")), l.fail(from("a")), l.fail(from("a"))]).toEqual([0, 0, 0]);
    expect(l.fail(from("a"))).toBe(60);
    advance(30_000);
    expect(l.fail(from("a"))).toBe(30);
    expect(l.fail(from("b"))).toBe(0);
    advance(61_000);
    expect(l.fail(from("a"))).toBe(0);
  });

  it("limits a claimed identity across addresses", () => {
    const { l, seen } = limiter({ limit: 100, identityLimit: 5 });
    for (let i = 0; i < 5; i++) expect(l.fail(from(`10.0.0.${i}`, "check:nightly"))).toBe(0);
    expect(l.fail(from("10.0.0.99", "check:nightly"))).toBeGreaterThan(0);
    expect(l.fail(from("10.0.0.99", "check:other"))).toBe(0);
    expect(seen.lockouts).toEqual(["identity"]);
  });

  it("logs one line per lockout, however long the guessing goes on, and counts every failure", () => {
    const { l, lines, seen, advance } = limiter({ limit: 10, windowMs: 60_000 });
    // Exactly at the limit for five windows: one lockout, not one per window.
    for (let i = 0; i < 50; i++) {
      l.fail(from("loopback", "token"));
      advance(6_000);
    }
    expect(seen.failed).toBe(50);
    expect(seen.lockouts).toEqual(["address"]);
    const lockouts = lines.filter((x) => x.msg.startsWith("authentication lockout"));
    expect(lockouts).toHaveLength(1);
    expect(lockouts[0]).toMatchObject({ scope: "address", address: "loopback", reason: "unknown_token" });
    // Quiet for a window and more: the next lockout is a new one.
    advance(200_000);
    for (let i = 0; i < 10; i++) l.fail(from("loopback"));
    expect(seen.lockouts).toEqual(["address", "address"]);
  });

  it("caps lockout log lines per window, and says how many it left out", () => {
    const { l, lines, seen } = limiter({ limit: 1, identityLimit: 1_000_000 });
    for (let i = 0; i < 25; i++) l.fail(from(`10.0.1.${i}`));
    expect(seen.lockouts).toHaveLength(25);
    expect(lines.filter((x) => x.msg.startsWith("authentication lockout"))).toHaveLength(10);
  });

  it("counts 429s", () => {
    const { l, seen } = limiter({ limit: 1 });
    l.fail(from("a"));
    l.fail(from("a"));
    l.fail(from("a"));
    expect(seen.rateLimited).toBe(2);
  });

  it("holds at most maxKeys keys", () => {
    const { l } = limiter({ limit: 2 });
    for (let i = 0; i <= FailureLimiter.maxKeys + 10; i++) l.fail(from(`k${i}`));
    // The first key was dropped: it starts again from nothing.
    expect(l.fail(from("k0"))).toBe(0);
    expect(l.fail(from("k0"))).toBe(0);
    expect(l.fail(from("k0"))).toBeGreaterThan(0);
  });
});
