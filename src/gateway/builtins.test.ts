/** The built-in actions: one entry each, looked up by name, and a declared action of the same name wins. */
import { describe, expect, it } from "vitest";
import { builtinAction, builtinActions } from "./builtins.ts";
import type { ServiceControl } from "./types.ts";

const acted: string[] = [];
const services: ServiceControl = {
  isService: (n) => n === "api",
  isTarget: (n) => n === "api",
  act: async (n, a, by) => {
    acted.push(`${a} ${n} by ${by}`);
    return { state: "up" };
  },
  largest: () => ({ name: "api", rssMb: 120 }),
  longerStart: async (n) => ({ ok: true, detail: `longer start for ${n}` }),
  freePort: async (n) => ({ ok: false, detail: `nothing holds ${n}'s port` }),
};

describe("built-in actions", () => {
  it("have unique names, a description, and no parameters", () => {
    const names = builtinActions.map((b) => b.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(["restart", "start", "stop", "restart-largest", "free-port", "longer-start"]);
    for (const b of builtinActions) expect(b.description.length).toBeGreaterThan(10);
  });

  it("are found by name unless the config declares one of that name", () => {
    expect(builtinAction("restart", {})?.name).toBe("restart");
    expect(builtinAction("restart", { restart: {} })).toBeUndefined();
    expect(builtinAction("reindex", {})).toBeUndefined();
  });

  it("each runs its own behaviour on the supervisor, never another's", async () => {
    acted.length = 0;
    const run = (name: string, target: string | null) =>
      builtinAction(name, {})!.run({ services, target, by: "alice" });
    expect(await run("stop", "api")).toEqual({ ok: true, state: "up" });
    expect(await run("restart-largest", "memory")).toMatchObject({
      ok: true,
      stdout: "restarted api (120 MB resident)",
    });
    expect(await run("longer-start", "api")).toEqual({ ok: true, stdout: "longer start for api" });
    expect(await run("free-port", "api")).toEqual({ ok: false, stdout: "nothing holds api's port" });
    expect(acted).toEqual(["stop api by alice", "restart api by alice"]);
  });

  it("a supervisor refusal is a failed result, not a throw", async () => {
    const refusing: ServiceControl = { ...services, act: () => Promise.reject(new Error("api is paused")) };
    const r = await builtinAction("restart", {})!.run({ services: refusing, target: "api", by: "alice" });
    expect(r).toEqual({ ok: false, error: "api is paused" });
  });
});
