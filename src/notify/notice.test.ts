import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../core/events.ts";
import { noticeFrom } from "./notice.ts";

function opened(payload: Record<string, unknown>): StoredEvent {
  return {
    seq: 7,
    ts: 1_700_000_000_000,
    actor: "vigil",
    type: "incident.opened",
    subject: "api",
    payload: JSON.stringify(payload),
    prev_hash: "",
    hash: "",
  };
}

describe("what an incident's opening tells", () => {
  it("a flapping incident says it flaps and what remediation does meanwhile, not that it is down", () => {
    const detail = "7 up/down changes within 10m; remediation waits until it settles";
    const n = noticeFrom(
      opened({ incident_id: "inc-1", failure_class: "flapping", reopened: false, detail }),
    );
    expect(n).toMatchObject({
      key: "incident:inc-1:opened:7",
      incident_id: "inc-1",
      title: "api is flapping",
      text: `api keeps going up and down (${detail}). Incident inc-1.`,
    });
    const again = noticeFrom(
      opened({ incident_id: "inc-1", failure_class: "flapping", reopened: true, detail: null }),
    );
    expect(again!.text).toBe("api is flapping again. Incident inc-1.");
  });

  it("any other class says it is down, and again on a relapse", () => {
    const n = noticeFrom(
      opened({ incident_id: "inc-2", failure_class: "timeout", reopened: true, detail: null }),
    );
    expect(n).toMatchObject({
      title: "api is down (timeout)",
      text: "api went down again: timeout. Incident inc-2.",
    });
  });
});

describe("what a scheduled job's incident tells", () => {
  const event = (type: string, payload: Record<string, unknown>): StoredEvent => ({
    ...opened(payload),
    type,
    subject: "job:nightly-backup",
  });

  it("says the job failed and why, not that it is down; its resolution says it succeeded again", () => {
    const detail =
      "the job nightly-backup failed: backup-db failed: exit code 3 (pg_dump: connection refused)";
    expect(
      noticeFrom(
        event("incident.opened", {
          incident_id: "inc-9",
          failure_class: "job_failed",
          reopened: false,
          detail,
        }),
      ),
    ).toMatchObject({
      key: "incident:inc-9:opened:7",
      incident_id: "inc-9",
      title: "the job nightly-backup failed",
      text: `${detail}. It stays an open incident until a run succeeds. Incident inc-9.`,
    });
    expect(
      noticeFrom(event("incident.resolved", { incident_id: "inc-9", duration_ms: 86_400_000 })),
    ).toMatchObject({
      follows: "inc-9",
      title: "the job nightly-backup succeeded again",
      text: "the job nightly-backup ran and succeeded, 86400 s after it failed. Incident inc-9.",
    });
  });

  it("an incident closed because its target is gone says so, not that it recovered", () => {
    const e = {
      seq: 8,
      type: "incident.resolved",
      subject: "prd/worker",
      actor: "agent",
      ts: 0,
      payload: JSON.stringify({
        incident_id: "inc-3",
        duration_ms: 60_000,
        detail: "prd/worker is no longer in the config",
      }),
      prev_hash: "",
      hash: "",
    };
    expect(noticeFrom(e)).toMatchObject({
      title: "prd/worker closed",
      text: "prd/worker is no longer in the config; its incident is closed after 60 s. Incident inc-3.",
    });
  });
});

describe("what a false claim tells", () => {
  it("names who claimed what, through what, and what was seen", () => {
    const payload = {
      verdict: "FALSE",
      claim: "Created file /srv/out/report.txt",
      checks: [
        {
          what: "file /srv/out/report.txt",
          expected: "exists",
          observed: "no such file or folder",
          ok: false,
        },
      ],
      evidence: "file /srv/out/report.txt: expected exists, observed no such file or folder",
      source: "watcher",
      by: "worker-3",
    };
    const n = noticeFrom({
      ...opened({}),
      seq: 12,
      type: "claim.false",
      subject: "claim",
      actor: "worker-3",
      payload: JSON.stringify(payload),
    });
    expect(n).toMatchObject({
      key: "claim.false:12",
      kind: "claim.false",
      title: "False claim by worker-3: Created file /srv/out/report.txt",
    });
    expect(n!.text).toContain('worker-3 (through watcher) claimed: "Created file /srv/out/report.txt"');
    expect(n!.text).toContain("observed no such file or folder");
  });
});

describe("what a restart or a remediation step tells", () => {
  const event = (type: string, payload: Record<string, unknown>): StoredEvent => ({
    ...opened({}),
    type,
    subject: "web",
    payload: JSON.stringify(payload),
  });

  it("an automatic restart says why and when; the engine's own restart is told as its step instead", () => {
    expect(
      noticeFrom(event("service.restart_scheduled", { delay_ms: 1_500, reason: "exited with code 1" })),
    ).toMatchObject({
      key: "service.restart_scheduled:7",
      target: "web",
      title: "web is being restarted: exited with code 1",
      text: "web exited with code 1; its restart policy starts it again in 1.5 s.",
    });
    expect(
      noticeFrom(
        event("service.restart_scheduled", { delay_ms: 0, reason: "health check failing: incident i" }),
      ),
    ).toBeUndefined();
  });

  it("a step taken and how it went belong to their incident; a step only decided (held) tells nothing", () => {
    const decided = {
      incident_id: "inc-3",
      action: "restart",
      attempt: 2,
      explanation: "step 2 of 2 as written",
    };
    expect(noticeFrom(event("remediation.decided", { ...decided, executed: true }))).toMatchObject({
      incident_id: "inc-3",
      title: "Trying restart on web (attempt 2)",
      text: "Vigil runs restart on web: step 2 of 2 as written. Incident inc-3.",
    });
    expect(noticeFrom(event("remediation.decided", { ...decided, executed: false }))).toBeUndefined();
    expect(
      noticeFrom(
        event("remediation.finished", {
          incident_id: "inc-3",
          action: "restart",
          outcome: "failed",
          detail: "web did not recover within verify_within (3000 ms)",
          recovered_ms: null,
        }),
      ),
    ).toMatchObject({
      incident_id: "inc-3",
      title: "restart on web failed",
      text: "restart on web failed: web did not recover within verify_within (3000 ms). Incident inc-3.",
    });
  });
});
