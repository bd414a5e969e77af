import { describe, expect, it } from "vitest";
import { inHand, type InHandDeps } from "./in-hand.ts";

function deps(
  phases: Record<string, string>,
  states: Record<string, string>,
  deps: Record<string, string[]> = {},
): InHandDeps {
  return {
    servicePhase: (t) => phases[t],
    state: (t) => states[t],
    dependsOn: (t) => deps[t] ?? [],
  };
}

const incident = (failure_class = "timeout") => ({ target: "api", failure_class });

describe("a target already in hand", () => {
  it("a service the supervisor is bringing back is in hand", () => {
    for (const phase of ["starting", "backoff", "stopping", "stopped", "held", "failed"]) {
      expect(inHand(incident(), deps({ api: phase }, { api: "down" }))).toBe(true);
    }
  });

  it("a restarted process no check has judged yet is in hand; a judged one is not", () => {
    expect(inHand(incident(), deps({ api: "running" }, { api: "starting" }))).toBe(true);
    expect(inHand(incident(), deps({ api: "running" }, { api: "down" }))).toBe(false);
  });

  it("a target that is up again is left to its incident's resolution, whatever its phase", () => {
    expect(inHand(incident(), deps({ api: "running" }, { api: "up" }))).toBe(true);
    expect(inHand(incident("port_in_use"), deps({ api: "running" }, { api: "up" }))).toBe(true);
    expect(inHand({ target: "disk", failure_class: "timeout" }, deps({}, { disk: "up" }))).toBe(true);
  });

  it("a taken port is never in hand: it waits for free-port", () => {
    expect(inHand(incident("port_in_use"), deps({ api: "backoff" }, { api: "down" }))).toBe(false);
  });

  it("a dependency that is not up is acted on first", () => {
    const d = (db: string) => deps({ api: "running" }, { api: "down", db }, { api: ["db"] });
    expect(inHand(incident(), d("down"))).toBe(true);
    expect(inHand(incident(), d("up"))).toBe(false);
  });

  it("a check is in hand only through its dependencies", () => {
    expect(inHand({ target: "disk", failure_class: "timeout" }, deps({}, { disk: "starting" }))).toBe(false);
  });
});
