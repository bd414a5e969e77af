/**
 * The approvals probe on a real SQLite store, seeded through the real approval queue: [PENDING]
 * counts what waits now, [OLDEST_AGE] is how long the oldest has waited, in ms, and conditions read
 * it as a duration.
 */
import { afterEach, describe, expect, it } from "vitest";
import { evaluateAll, parseCondition } from "../conditions/index.ts";
import { kit } from "../config/kit.ts";
import { load, problems } from "../../test/helpers/config.ts";
import { gatewayHarness, type Harness } from "../../test/helpers/gateway.ts";
import { probeEnv } from "../../test/helpers/probe.ts";
import { probes } from "./index.ts";
import type { ProbeOutcome } from "./probe.ts";

const actions = `
  reindex: { run: [printf, ok], risk: approve }
`;
const claude = { name: "claude", role: "agent" } as const;
const minute = 60_000;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Runs the probe as the agent does, its queue read from the harness's store at the harness's time. */
async function reading(hh: Harness, signal = AbortSignal.timeout(2_000)): Promise<ProbeOutcome> {
  const probe = probes.get("approvals")!;
  return probe.run(probe.schema(kit).parse({}) as never, {
    target: "approvals-waiting",
    timeoutMs: 2_000,
    signal,
    env: {
      ...probeEnv,
      clock: hh.clock,
      approvalQueue: () => hh.store.pendingQueue(hh.clock.now()),
    },
  });
}

async function ask(hh: Harness): Promise<string> {
  const q = await hh.gateway.request("reindex", { params: {}, reason: "slow" }, claude);
  if (q.kind !== "queued") throw new Error("expected a queue");
  return q.approval.id;
}

const holds = (text: string, values: ProbeOutcome["values"]) => {
  const parsed = parseCondition(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return evaluateAll([parsed.condition], values).ok;
};

describe("approvals", () => {
  it("an empty queue: nothing pending, no age", async () => {
    h = await gatewayHarness(actions);
    const outcome = await reading(h);
    expect(outcome).toEqual({ values: { PENDING: 0, OLDEST_AGE: 0 } });
  });

  it("counts what waits, and how long the oldest has waited; decided and expired ones leave", async () => {
    h = await gatewayHarness(actions);
    const first = await ask(h);
    await h.clock.advance(5 * minute);
    const second = await ask(h);
    await h.clock.advance(2 * minute);
    await ask(h);
    await h.clock.advance(1 * minute);
    expect((await reading(h)).values).toEqual({ PENDING: 3, OLDEST_AGE: 8 * minute });

    await h.approvals.decide(first, { name: "olga" }, "reject", "not now");
    expect((await reading(h)).values).toEqual({ PENDING: 2, OLDEST_AGE: 3 * minute });

    // remediation.approval_ttl is 30 m: the second expires 30 m after it was asked
    await h.clock.advance(27 * minute);
    expect((await reading(h)).values).toEqual({ PENDING: 1, OLDEST_AGE: 28 * minute });
    expect((await h.approvals.get(second))!.status).toBe("expired");
  });

  it("reads as conditions are written: a count and a duration", async () => {
    h = await gatewayHarness(actions);
    await ask(h);
    await ask(h);
    await h.clock.advance(90 * minute);
    // both expired by now: ask two more, 20 m apart
    await ask(h);
    await h.clock.advance(20 * minute);
    await ask(h);
    const { values } = await reading(h);
    expect(values.PENDING).toBe(2);
    expect(holds("[PENDING] < 2", values)).toBe(false);
    expect(holds("[PENDING] <= 10", values)).toBe(true);
    expect(holds("[OLDEST_AGE] < 15m", values)).toBe(false);
    expect(holds("[OLDEST_AGE] < 1h", values)).toBe(true);
  });

  it("says so when the store cannot be read, or does not answer in time", async () => {
    h = await gatewayHarness(actions);
    await h.close();
    const closed = await reading(h);
    h = undefined;
    expect(closed.values).toEqual({});
    expect(closed.error?.class).toBe("unknown");
    expect(closed.error?.message).toMatch(/^cannot read the approval queue: /);

    const probe = probes.get("approvals")!;
    const silent = await probe.run({} as never, {
      target: "approvals-waiting",
      timeoutMs: 50,
      signal: AbortSignal.timeout(50),
      env: { ...probeEnv, approvalQueue: () => new Promise(() => undefined) },
    });
    expect(silent.error).toEqual({
      class: "timeout",
      message: "cannot read the approval queue: no answer from the store within 50 ms",
    });
  });

  it("is one line of config, takes no settings, and is no service's health", () => {
    const c = load('checks:\n  approvals-waiting: { approvals: {}, expect: ["[PENDING] <= 10"] }\n');
    expect(c.config.checks["approvals-waiting"]).toMatchObject({
      approvals: {},
      expect: ["[PENDING] <= 10"],
    });
    expect(problems("checks:\n  q: { approvals: { max: 10 } }\n")).toEqual([
      expect.stringMatching(/checks\.q\.approvals\.max: unknown key "max"/),
    ]);
    expect(problems('checks:\n  q: { approvals: {}, expect: ["[PENDNG] < 2"] }\n').join("\n")).toMatch(
      /PENDNG/,
    );
    expect(problems("services:\n  api:\n    command: [node, s.js]\n    health: { approvals: {} }\n")).toEqual(
      [
        expect.stringMatching(
          /services\.api\.health\.approvals: an approvals check watches the agent's approval queue, not a service: write it under checks:/,
        ),
      ],
    );
  });
});
