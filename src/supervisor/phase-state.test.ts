import { describe, expect, it } from "vitest";
import { stateOfPhase } from "./phase-state.ts";

describe("a service's state from its phase", () => {
  it("a running process is up, unless a health check is to decide", () => {
    expect(stateOfPhase("running", false)).toBe("up");
    expect(stateOfPhase("running", true)).toBe("starting");
  });

  it("the other phases say the same with or without a health check", () => {
    for (const hasHealth of [false, true]) {
      expect(stateOfPhase("starting", hasHealth)).toBe("starting");
      expect(stateOfPhase("backoff", hasHealth)).toBe("down");
      expect(stateOfPhase("failed", hasHealth)).toBe("failed");
      expect(stateOfPhase("stopped", hasHealth)).toBe("stopped");
      expect(stateOfPhase("stopping", hasHealth)).toBeUndefined();
    }
  });

  it("a process that exited while automatic restarts were off is down, not stopped by hand", () => {
    for (const hasHealth of [false, true]) expect(stateOfPhase("held", hasHealth)).toBe("down");
  });
});
