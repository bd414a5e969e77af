import { describe, expect, it } from "vitest";
import { TurnBudget } from "./turns.ts";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A budget on a clock that only the handlers move: each "runs" for `costMs`. */
function budget(budgetMs: number) {
  let now = 0;
  const turns = new TurnBudget({ budgetMs, now: () => now });
  const started: number[] = [];
  const run = (id: number, costMs: number) => {
    const go = () => {
      started.push(id);
      now += costMs;
    };
    const wait = turns.take();
    if (wait) return wait.then(go);
    go();
    return Promise.resolve();
  };
  return { turns, started, run };
}

describe("TurnBudget", () => {
  it("starts a handler at once while the agent is idle", () => {
    const { turns } = budget(10);
    expect(turns.take()).toBeUndefined();
  });

  it("starts no more handlers in one turn than fit its budget; the rest follow in later turns, in order", async () => {
    const { turns, started, run } = budget(10);
    const all = Array.from({ length: 10 }, (_, i) => run(i, 4));
    // This turn: 0, 4 and 8 ms are within the budget, 12 is not.
    expect(started).toEqual([0, 1, 2]);
    expect(turns.waiting).toBe(7);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    await Promise.all(all);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("lets other work of the event loop run between the turns of a long queue", async () => {
    const { started, run } = budget(10);
    const all = Array.from({ length: 30 }, (_, i) => run(i, 5));
    let seenAt = -1;
    setImmediate(() => (seenAt = started.length));
    await Promise.all(all);
    // The immediate (standing for /health, a timer, a check) ran after one turn, not after all 30.
    expect(seenAt).toBeGreaterThan(0);
    expect(seenAt).toBeLessThan(30);
  });

  it("keeps a newcomer behind those already waiting", async () => {
    const { started, run } = budget(10);
    const first = Array.from({ length: 5 }, (_, i) => run(i, 6));
    const late = run(99, 0);
    await Promise.all([...first, late]);
    expect(started.at(-1)).toBe(99);
  });
});
