import { describe, expect, it } from "vitest";
import { failureClassOf, failureContext, type FailureDeps } from "./failure-class.ts";

function deps(
  over: { conflict?: { port: number; holder: string }; phase?: string; failure_class?: string } = {},
): FailureDeps {
  return {
    portConflict: () => over.conflict,
    servicePhase: () => over.phase,
    lastResult: () => ({ failure_class: over.failure_class, explanation: "[STATUS] (503) == 200" }),
  };
}

const conflict = { port: 8001, holder: "pid 42 (python)" };

describe("an incident's failure class", () => {
  it("a taken port comes first, naming who holds it", () => {
    const d = deps({ conflict, phase: "backoff", failure_class: "timeout" });
    expect(failureClassOf("api", d)).toBe("port_in_use");
    expect(failureContext("api", "port_in_use", d)).toBe("port 8001 is held by pid 42 (python)");
  });

  it("a service in backoff has exited", () => {
    expect(failureClassOf("api", deps({ phase: "backoff", failure_class: "timeout" }))).toBe(
      "process_exited",
    );
  });

  it("a service that exited while paused (held) has exited too", () => {
    expect(failureClassOf("api", deps({ phase: "held", failure_class: "timeout" }))).toBe("process_exited");
  });

  it("otherwise the last result says, and unknown when it says nothing", () => {
    expect(failureClassOf("api", deps({ phase: "running", failure_class: "http_5xx" }))).toBe("http_5xx");
    expect(failureClassOf("disk", deps())).toBe("unknown");
    const none: FailureDeps = { ...deps(), lastResult: () => undefined };
    expect(failureClassOf("disk", none)).toBe("unknown");
    expect(failureContext("disk", "timeout", none)).toBeUndefined();
  });

  it("the context of any other class is the last result's explanation", () => {
    expect(failureContext("api", "http_5xx", deps({ conflict }))).toBe("[STATUS] (503) == 200");
  });

  it("a flapping incident says how often its target changed, and that remediation waits", () => {
    const d: FailureDeps = { ...deps(), flapping: () => ({ changes: 7, windowMs: 600_000 }) };
    expect(failureContext("api", "flapping", d)).toBe(
      "7 up/down changes within 10m; remediation waits until it settles",
    );
    expect(failureContext("api", "flapping", deps())).toBe("remediation waits until it settles");
  });

  it("a port conflict gone since says nothing more", () => {
    expect(failureContext("api", "port_in_use", deps())).toBeUndefined();
  });
});
