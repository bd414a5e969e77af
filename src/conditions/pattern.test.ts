import { describe, expect, it } from "vitest";
import { compilePattern, matchPattern, type CompiledPattern } from "./pattern.ts";

function compiled(pattern: string): CompiledPattern {
  const c = compilePattern(pattern);
  if ("error" in c) throw new Error(`${pattern}: ${c.error}`);
  return c;
}

const matches = (pattern: string, value: string) => matchPattern(compiled(pattern), value);

describe("pat()", () => {
  it.each([
    ["*", "anything at all", true],
    ["*", "", true],
    ["", "", true],
    ["", "x", false],
    ["web-*", "web-12", true],
    ["web-*", "db-1", false],
    ["*ready*", "all ready now", true],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["**", "x", true],
    ["*.*", "no_dot", false],
    ["192.168.*", "192.168.0.232", true],
  ])("%j against %j → %s", (pattern, value, ok) => {
    expect(matches(pattern, value)).toBe(ok);
  });

  it("deletes `/` from both sides first, as Gatus does, so a star crosses them", () => {
    expect(matches("*<div>x</div>*", "<html><body><div>x</div></body></html>")).toBe(true);
    expect(matches("a/b", "ab")).toBe(true);
    expect(matches("*/api/*", "GET /api/users")).toBe(true);
  });

  it("has filepath.Match's ?, classes and escapes, counting characters rather than bytes", () => {
    expect(matches("a?c", "abc")).toBe(true);
    expect(matches("a?c", "a😀c")).toBe(true);
    expect(matches("a?c", "ac")).toBe(false);
    expect(matches("[a-c]x", "bx")).toBe(true);
    expect(matches("[^a-c]x", "bx")).toBe(false);
    expect(matches("[^a-c]x", "dx")).toBe(true);
    expect(matches("v[0-9].*", "v2.1")).toBe(true);
    expect(matches("\\*", "*")).toBe(true);
    expect(matches("\\*", "x")).toBe(false);
    expect(matches("[\\]]", "]")).toBe(true);
    expect(matches("*😀", "smile 😀")).toBe(true);
  });

  it.each([["[a"], ["[]"], ["[a-]"], ["[-a]"], ["x\\"]])("refuses the malformed %j", (pattern) => {
    expect(compilePattern(pattern)).toHaveProperty("error");
  });

  it("takes time linear in the value, without backtracking", () => {
    const value = "a".repeat(200_000);
    const started = performance.now();
    for (const p of ["*a*a*a*a*a*a*a*a*a*a*b", "*aaaaaaaaaaaaaaaaaab*", "*a?a?a?b*", "*[a-z][a-z]b*c"])
      expect(matches(p, value)).toBe(false);
    // Exponential or quadratic matching would take minutes here; linear takes milliseconds.
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
