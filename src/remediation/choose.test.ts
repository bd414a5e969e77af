import { describe, expect, it } from "vitest";
import { betaDraw, choose, type Step, type Tally } from "./choose.ts";

/** A seeded generator (mulberry32), so the draws are the same in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const steps: Step[] = [
  { action: "clear-cache", params: {} },
  { action: "restart", params: {} },
  { action: "failover", params: {} },
];
const risk = (a: string) => (a === "failover" ? "approve" : "auto");

describe("choosing a runbook step", () => {
  it("as written: in order, one step per attempt, round and round", () => {
    const picks = [0, 1, 2, 3].map(
      (n) =>
        choose({
          steps,
          failureClass: "timeout",
          order: "as-written",
          tried: ["clear-cache", "restart", "failover"].slice(0, n),
          history: new Map(),
          riskOf: risk,
          random: Math.random,
        })!.step.action,
    );
    expect(picks).toEqual(["clear-cache", "restart", "failover", "clear-cache"]);
  });

  it("only steps whose `when` names the failure class apply", () => {
    const only = [
      { action: "free-port", params: {}, when: ["port_in_use"] },
      { action: "restart", params: {} },
    ];
    const c = choose({
      steps: only,
      failureClass: "timeout",
      order: "as-written",
      tried: [],
      history: new Map(),
      riskOf: risk,
      random: Math.random,
    });
    expect(c!.step.action).toBe("restart");
    expect(
      choose({
        steps: [only[0]!],
        failureClass: "timeout",
        order: "as-written",
        tried: [],
        history: new Map(),
        riskOf: risk,
        random: Math.random,
      }),
    ).toBeUndefined();
  });

  it("adaptive: the step that worked is chosen first (nearly always), and says why", () => {
    const history = new Map<string, Tally>([
      ["clear-cache", { attempts: 8, successes: 0 }],
      ["restart", { attempts: 8, successes: 8 }],
    ]);
    const random = seeded(42);
    const firsts = Array.from({ length: 200 }, () =>
      choose({
        steps,
        failureClass: "timeout",
        order: "adaptive",
        tried: [],
        history,
        riskOf: risk,
        random,
      })!,
    );
    const restart = firsts.filter((c) => c.step.action === "restart").length;
    expect(restart).toBeGreaterThan(190);
    expect(firsts[0]!.explanation).toContain("restart fixed timeout 8 of 8 times before");
  });

  it("adaptive never promotes a riskier step over a safer one, however well it did", () => {
    const history = new Map<string, Tally>([
      ["failover", { attempts: 50, successes: 50 }],
      ["restart", { attempts: 50, successes: 0 }],
      ["clear-cache", { attempts: 50, successes: 0 }],
    ]);
    const random = seeded(7);
    for (let i = 0; i < 50; i++) {
      const first = choose({
        steps,
        failureClass: "timeout",
        order: "adaptive",
        tried: [],
        history,
        riskOf: risk,
        random,
      })!;
      expect(first.step.action).not.toBe("failover");
    }
    const third = choose({
      steps,
      failureClass: "timeout",
      order: "adaptive",
      tried: ["restart", "clear-cache"],
      history,
      riskOf: risk,
      random,
    })!;
    expect(third.step.action).toBe("failover");
  });

  it("Beta draws have the posterior's mean", () => {
    const random = seeded(1);
    const mean = (a: number, b: number) =>
      Array.from({ length: 4000 }, () => betaDraw(a, b, random)).reduce((x, y) => x + y, 0) / 4000;
    expect(mean(9, 1)).toBeCloseTo(0.9, 1);
    expect(mean(1, 1)).toBeCloseTo(0.5, 1);
    expect(mean(200, 800)).toBeCloseTo(0.2, 1);
  });
});
