import { describe, expect, it } from "vitest";
import { owner, weight } from "./rendezvous.ts";

const names = Array.from({ length: 300 }, (_, i) => `check-${i}`);
const agents = ["web-1", "web-2", "web-3"];

function spread(keys: readonly string[], candidates: readonly string[]): Map<string, string[]> {
  const by = new Map(candidates.map((c) => [c, [] as string[]]));
  for (const k of keys) by.get(owner(k, candidates)!)!.push(k);
  return by;
}

describe("rendezvous hashing", () => {
  it("spreads 300 names over 3 agents within ±20 % of 100 each", () => {
    const counts = [...spread(names, agents).values()].map((l) => l.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    for (const n of counts) {
      expect(n).toBeGreaterThanOrEqual(80);
      expect(n).toBeLessThanOrEqual(120);
    }
  });

  it("moves only the dead agent's names when one dies, and each agent computes the same owner", () => {
    const before = spread(names, agents);
    const after = new Map(names.map((k) => [k, owner(k, ["web-3", "web-1"])!]));
    for (const [agent, keys] of before) {
      for (const k of keys) {
        if (agent === "web-2") expect(after.get(k)).not.toBe("web-2");
        else expect(after.get(k)).toBe(agent);
      }
    }
    // The dead agent's names are shared out, not all dumped on one survivor.
    const moved = before.get("web-2")!.map((k) => after.get(k));
    expect(moved.filter((a) => a === "web-1").length).toBeGreaterThan(moved.length * 0.25);
    expect(moved.filter((a) => a === "web-3").length).toBeGreaterThan(moved.length * 0.25);
  });

  it("moves about a quarter of the names to a fourth agent that joins, and nothing else", () => {
    const four = [...agents, "web-4"];
    const moved = names.filter((k) => owner(k, four) !== owner(k, agents));
    for (const k of moved) expect(owner(k, four)).toBe("web-4");
    expect(moved.length).toBeGreaterThan(45);
    expect(moved.length).toBeLessThan(105);
  });

  it("has no owner without candidates, and does not depend on the candidates' order", () => {
    expect(owner("x", [])).toBeUndefined();
    for (const k of names.slice(0, 50)) expect(owner(k, [...agents].reverse())).toBe(owner(k, agents));
    expect(weight("a", "b")).not.toBe(weight("b", "a"));
  });
});
