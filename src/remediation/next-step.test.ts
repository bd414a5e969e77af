/** What an alert says comes next: each case the engine distinguishes, from the same rules. */
import { describe, expect, it } from "vitest";
import type { AttemptRow, IncidentRow } from "../store/incident-store.ts";
import type { Guardrails } from "./engine.ts";
import { nextStep, type NextStepDeps } from "./next-step.ts";

const now = 1_700_000_000_000;
const guardrails: Guardrails = {
  max_attempts: 3,
  cooldown: 60_000,
  verify_within: 120_000,
  max_concurrent: 2,
  max_actions_per_hour: 20,
  order: "as-written",
};
const incident: IncidentRow = {
  id: "inc-1",
  target: "web",
  failure_class: "condition_failed",
  status: "open",
  escalated: 0,
  escalation: null,
  linked_to: null,
  opened_at: now - 300_000,
  resolved_at: null,
  reopened: 0,
};
const deps = (over: Partial<NextStepDeps> = {}): NextStepDeps => ({
  now: () => now,
  guardrails: () => guardrails,
  runbook: () => [
    { action: "restart", params: {} },
    { action: "clean-logs", params: {}, when: ["condition_failed"] },
    { action: "free-port", params: {}, when: ["port_in_use"] },
  ],
  riskOf: (a) => (a === "clean-logs" ? "notify" : "auto"),
  holdReason: () => undefined,
  busy: () => false,
  restartDue: () => undefined,
  rearmedAt: () => undefined,
  ...over,
});
const attempt = (over: Partial<AttemptRow>): AttemptRow => ({
  id: "a",
  incident_id: "inc-1",
  target: "web",
  failure_class: "condition_failed",
  action: "restart",
  status: "failed",
  detail: "",
  run_id: null,
  approval_id: null,
  started_at: now - 200_000,
  acted_at: now - 199_000,
  finished_at: now - 30_000,
  recovered_ms: null,
  ...over,
});

describe("the next step an alert tells", () => {
  it("after a failed step: the next as written, once the cooldown is over", () => {
    expect(nextStep(incident, [attempt({})], deps())).toEqual({
      what: "clean-logs (attempt 2 of 3)",
      at: now + 30_000,
      final: false,
    });
  });

  it("adaptive: the safest steps not tried this round, named together when the draw decides", () => {
    const adaptive = { ...guardrails, order: "adaptive" as const };
    const d = deps({ guardrails: () => adaptive, riskOf: () => "auto" });
    expect(nextStep(incident, [], d).what).toBe("one of restart, clean-logs (attempt 1 of 3)");
    expect(nextStep(incident, [attempt({})], d).what).toBe("clean-logs (attempt 2 of 3)");
    expect(nextStep(incident, [], deps({ guardrails: () => adaptive })).what).toBe(
      "restart (attempt 1 of 3)",
    );
  });

  it("escalated, resolved: nothing more will run", () => {
    expect(
      nextStep({ ...incident, escalated: 1, escalation: "3 of max_attempts 3 tried" }, [], deps()),
    ).toEqual({
      what: "escalated: nothing more will run (3 of max_attempts 3 tried)",
      final: true,
    });
    expect(nextStep({ ...incident, status: "resolved" }, [], deps())).toEqual({
      what: "nothing: it recovered",
      final: true,
    });
  });

  it("what it waits for: the supervisor's restart, a verification, an approval, a hold, a dependency", () => {
    expect(nextStep(incident, [], deps({ restartDue: () => now + 800 }))).toEqual({
      what: "the supervisor restarts web (its restart policy)",
      at: now + 800,
      final: false,
    });
    expect(nextStep(incident, [attempt({ status: "waiting", finished_at: null })], deps())).toEqual({
      what: "judge restart: if web is not up by then, the next step",
      at: now - 199_000 + 120_000,
      final: false,
    });
    const approval = attempt({ status: "waiting", acted_at: null, finished_at: null, approval_id: "ap-1" });
    expect(nextStep(incident, [approval], deps()).what).toBe(
      "restart waits for a person to approve it (vigil approve ap-1)",
    );
    expect(nextStep(incident, [], deps({ holdReason: () => "paused (the kill switch)" })).what).toBe(
      "nothing while paused (the kill switch)",
    );
    expect(nextStep({ ...incident, linked_to: "inc-0" }, [], deps()).what).toBe(
      "nothing until its dependency recovers (incident inc-0)",
    );
  });

  it("the budget spent or no step for the class: it escalates now", () => {
    const three = [attempt({}), attempt({}), attempt({})];
    expect(nextStep(incident, three, deps())).toEqual({
      what: "escalate: max_attempts 3 tried",
      at: now,
      final: false,
    });
    expect(
      nextStep({ ...incident, failure_class: "dns_failure" }, [], deps({ runbook: () => [] })).what,
    ).toBe("escalate: no runbook step applies to dns_failure");
  });
});
