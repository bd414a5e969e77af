import { describe, expect, it } from "vitest";
import { VigilError } from "../core/errors.ts";
import { heartbeatSender } from "./heartbeat-auth.ts";

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as VigilError).code;
  }
  return "accepted";
};

describe("who may post a heartbeat", () => {
  it("the check's own token, with no principal behind it", () => {
    expect(heartbeatSender("backup-ran", "s3cret", "s3cret", undefined)).toEqual({
      from: "check token",
      actor: "backup-ran",
    });
  });

  it("the check's own token wins over the principal the same token names", () => {
    const r = heartbeatSender("backup-ran", "s3cret", "s3cret", { name: "alice", role: "admin" });
    expect(r).toEqual({ from: "check token", actor: "backup-ran" });
  });

  it("an operator or an admin, under their own name", () => {
    for (const role of ["operator", "admin"] as const) {
      expect(heartbeatSender("backup-ran", "s3cret", "other", { name: "bob", role })).toEqual({
        from: "bob",
        actor: "bob",
      });
    }
    expect(heartbeatSender("backup-ran", undefined, "other", { name: "bob", role: "operator" })).toEqual({
      from: "bob",
      actor: "bob",
    });
  });

  it("no token is UNAUTHENTICATED", () => {
    expect(code(() => heartbeatSender("backup-ran", "s3cret", undefined, undefined))).toBe("UNAUTHENTICATED");
  });

  it("a wrong token is UNAUTHENTICATED, as on every route (the route counts it as a failure)", () => {
    expect(code(() => heartbeatSender("backup-ran", "s3cret", "wrong", undefined))).toBe("UNAUTHENTICATED");
  });

  it("a viewer's or an agent's token is FORBIDDEN, naming the role", () => {
    for (const role of ["viewer", "agent"] as const) {
      expect(code(() => heartbeatSender("backup-ran", "s3cret", "t", { name: "v", role }))).toBe("FORBIDDEN");
    }
    expect(() => heartbeatSender("backup-ran", "s3cret", "t", { name: "v", role: "viewer" })).toThrow(
      "v is viewer",
    );
  });

  it("a check without a token of its own takes only an operator's", () => {
    expect(code(() => heartbeatSender("backup-ran", undefined, "anything", undefined))).toBe(
      "UNAUTHENTICATED",
    );
    expect(
      code(() => heartbeatSender("backup-ran", undefined, "anything", { name: "v", role: "agent" })),
    ).toBe("FORBIDDEN");
  });

  it("the refusal says what to send", () => {
    expect(() => heartbeatSender("backup-ran", "s3cret", "wrong", undefined)).toThrow(
      "send Authorization: Bearer <the check's heartbeat token> (or an operator token)",
    );
  });
});
