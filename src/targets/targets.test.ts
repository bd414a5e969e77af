import { describe, expect, it } from "vitest";
import { load } from "../../test/helpers/config.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { targetPlans } from "../app/specs.ts";
import { systemClock } from "../core/clock.ts";
import { EventBus, type NewEvent, type StoredEvent } from "../core/events.ts";
import { silentLogger } from "../core/log.ts";
import { openStore } from "../store/open.ts";
import type { TargetRow } from "../store/store.ts";
import { Targets } from "./targets.ts";

const policy = { failAfter: 1, recoverAfter: 1, flapWindowMs: 60_000, flapMaxChanges: 100 };

async function setup(n: number) {
  const store = await openStore({ store: "sqlite", dataDir: tempDir() });
  const commits: string[][] = [];
  const save = store.saveTargets.bind(store);
  store.saveTargets = async (agent: string, rows: readonly TargetRow[]) => {
    commits.push(rows.map((r) => r.name));
    await save(agent, rows);
  };
  let seq = 0;
  const sink = {
    append: async (events: NewEvent[]): Promise<StoredEvent[]> =>
      events.map((e) => ({ ...e, seq: ++seq, payload: JSON.stringify(e.payload), prev_hash: "", hash: "" })),
  };
  const bus = new EventBus({
    sink,
    clock: systemClock,
    onListenerError: (e) => {
      throw e;
    },
  });
  const targets = new Targets({ agent: "web-1", store, bus, clock: systemClock, log: silentLogger() });
  const names = Array.from({ length: n }, (_, i) => `c${i}`);
  await targets.load(names.map((name) => ({ name, kind: "check" as const, policy })));
  commits.length = 0;
  return { store, targets, names, commits };
}

const result = (ok: boolean) => ({ ts: Date.now(), ok, duration_ms: 1, explanation: ok ? "ok" : "down" });

describe("Targets", () => {
  it("writes the state changes of one turn of the event loop in one commit, each caller after it", async () => {
    const { store, targets, names, commits } = await setup(50);
    // 50 checks come up at once, as they do at start: one commit, not 50.
    await Promise.all(names.map((name) => targets.result(name, result(true))));
    expect(commits).toHaveLength(1);
    expect(commits[0]).toHaveLength(50);
    // Each caller resumed only after its row was committed.
    const rows = await store.loadTargets("web-1");
    expect(rows.filter((r) => r.state === "up")).toHaveLength(50);
    await store.close();
  });

  it("still writes a change at once when it comes alone", async () => {
    const { store, targets, commits } = await setup(3);
    await targets.result("c1", result(false));
    expect(commits).toEqual([["c1"]]);
    expect((await store.loadTargets("web-1")).find((r) => r.name === "c1")?.state).toBe("down");
    await store.close();
  });

  it("hands out the same view until something it shows changes", async () => {
    const { store, targets } = await setup(2);
    const before = targets.list();
    expect(targets.list()[0]).toBe(before[0]);
    await targets.result("c0", result(true));
    const after = targets.list();
    expect(after[0]).not.toBe(before[0]);
    expect(after[0]!.state).toBe("up");
    expect(after[1]).toBe(before[1]);
    targets.setIncident("c1", "i-1");
    expect(targets.list()[1]!.incident_id).toBe("i-1");
    await store.close();
  });

  it("declares a group's members as they come and forgets them as they go, keeping them over a restart", async () => {
    const { store, targets } = await setup(1);
    const plans = [
      { name: "c0", kind: "check" as const, policy },
      { name: "prd", kind: "check" as const, policy, group: true },
    ];
    await targets.load(plans);
    targets.addMember("prd", "prd/api");
    targets.addMember("prd", "prd/db");
    targets.addMember("c0", "prd/x"); // not its group: nothing
    expect(targets.members("prd")).toEqual(["prd/api", "prd/db"]);
    await targets.result("prd/api", result(false));
    expect(targets.view("prd/api")).toMatchObject({ kind: "check", state: "down" });
    await targets.removeMember("prd/db");
    await targets.persist();
    expect(targets.members("prd")).toEqual(["prd/api"]);
    expect((await store.loadTargets("web-1")).map((r) => r.name).sort()).toEqual(["c0", "prd", "prd/api"]);

    // an agent started again finds the member as it was, until the group's next reading
    const again = new Targets({
      agent: "web-1",
      store,
      bus: new EventBus({
        sink: { append: async () => [] },
        clock: systemClock,
        onListenerError: () => undefined,
      }),
      clock: systemClock,
      log: silentLogger(),
    });
    await again.load(plans);
    expect(again.view("prd/api")?.state).toBe("down");
    // a check that is no longer a group (or gone) takes its members' rows with it
    await again.load([{ name: "c0", kind: "check" as const, policy }]);
    expect(again.list().map((t) => t.name)).toEqual(["c0"]);
    expect((await store.loadTargets("web-1")).map((r) => r.name)).toEqual(["c0"]);
    await store.close();
  });
});

describe("a check's description", () => {
  it("shows in its view from the config, and a reload that changes it shows the new one", async () => {
    const { store, targets } = await setup(0);
    const config = (d: string) =>
      load(`checks:\n  db: { tcp: { port: 5432 }, description: "${d}" }\n  web: { tcp: { port: 80 } }\n`)
        .config;
    await targets.load(targetPlans(config("stuck jobs: restart the worker")));
    expect(targets.view("db")!.description).toBe("stuck jobs: restart the worker");
    expect("description" in targets.view("web")!).toBe(false);
    await targets.load(targetPlans(config("read the runbook")));
    expect(targets.view("db")!.description).toBe("read the runbook");
    await store.close();
  });
});
