import { describe, expect, it } from "vitest";
import { holdReason, mutedReason, type HoldDeps } from "./hold.ts";

function deps(
  over: Partial<{
    paused: boolean;
    mode: string;
    remediation: boolean;
    state: string;
    silenced: string;
  }> = {},
): HoldDeps {
  return {
    paused: () => over.paused ?? false,
    agent: () => ({ mode: over.mode ?? "auto", features: { remediation: over.remediation ?? true } }),
    state: () => over.state ?? "down",
    silenced: () => over.silenced,
  };
}

describe("holds", () => {
  it("nothing holds a down target of an auto agent", () => {
    expect(holdReason("api", deps())).toBeUndefined();
    expect(mutedReason("api", deps())).toBeUndefined();
  });

  it("each reason holds remediation on its own", () => {
    expect(holdReason("api", deps({ paused: true }))).toBe("paused (the kill switch)");
    expect(holdReason("api", deps({ mode: "observe" }))).toBe("observe mode");
    expect(holdReason("api", deps({ remediation: false }))).toBe(
      "automatic remediation is off (agent.features.remediation)",
    );
    expect(holdReason("api", deps({ state: "flapping" }))).toBe("flapping");
    expect(holdReason("api", deps({ silenced: "silenced until then by alice" }))).toBe(
      "silenced until then by alice",
    );
  });

  it("the kill switch is named first, whatever else holds", () => {
    const all = deps({ paused: true, mode: "observe", remediation: false, state: "flapping", silenced: "s" });
    expect(holdReason("api", all)).toBe("paused (the kill switch)");
    expect(holdReason("api", deps({ mode: "observe", silenced: "s" }))).toBe("observe mode");
  });

  it("notifications are muted only by the kill switch and silences", () => {
    expect(mutedReason("api", deps({ paused: true, silenced: "s" }))).toBe("paused (the kill switch)");
    expect(mutedReason("api", deps({ silenced: "s" }))).toBe("s");
    expect(
      mutedReason("api", deps({ mode: "observe", remediation: false, state: "flapping" })),
    ).toBeUndefined();
  });
});
