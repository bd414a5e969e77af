import { describe, expect, it } from "vitest";
import { Redactor, REDACTED } from "./redact.ts";

const token = "operator-token-0123456789";

describe("the redactor: by key, by declaration, by value, and never an oracle", () => {
  it("hides a parameter declared secret whatever its value, and one named like a credential", () => {
    const r = new Redactor().declareSecretParams({ deploy: ["key"] });
    expect(r.params("deploy", { key: "hello", env: "prod", api_token: "x" })).toEqual({
      key: REDACTED,
      env: "prod",
      api_token: REDACTED,
    });
    // Another action's parameter of the same name is not secret.
    expect(r.params("other", { key: "hello" })).toEqual({ key: "hello" });
  });

  it("never forgets a declaration: a reload that drops it keeps hiding what was given before", () => {
    const r = new Redactor().declareSecretParams({ deploy: ["key"] }).declareSecretParams({ deploy: [] });
    expect(r.params("deploy", { key: "hello" })).toEqual({ key: REDACTED });
  });

  it("shows what a person wrote as written: a guess at a secret comes back the same as any other text", () => {
    const r = new Redactor().addSecrets([token]).declareSecretParams({ deploy: ["key"] });
    const asked = (guess: string) =>
      r.redactEvent("action.requested", {
        action: "echo",
        params: { msg: guess },
        reason: `because ${guess}`,
        output: `printed ${guess}`,
      });
    expect(asked(token)).toEqual({
      action: "echo",
      params: { msg: token },
      reason: `because ${token}`,
      output: `printed ${REDACTED}`, // not written by the person: scrubbed
    });
    expect(asked("not-a-secret-at-all")).toMatchObject({ params: { msg: "not-a-secret-at-all" } });
    expect(
      r.redactEvent("approval.requested", { action: "deploy", params: { key: "k" }, reason: "r" }),
    ).toMatchObject({ params: { key: REDACTED } });
    // Everything else is scrubbed by value as before.
    expect(r.redactEvent("config.reload_failed", { problems: [`bad ${token}`] })).toEqual({
      problems: [`bad ${REDACTED}`],
    });
  });

  it("scrubs a run's output of configured secrets and its secret parameters, but keeps what was passed openly", () => {
    const r = new Redactor().addSecrets([token, "webhook-secret-value"]).declareSecretParams({
      deploy: ["key"],
    });
    const result = { stdout: `${token} webhook-secret-value my-secret-key`, ok: true };
    expect(r.redactOutput(result, "deploy", { key: "my-secret-key", msg: "hi" })).toEqual({
      stdout: `${REDACTED} ${REDACTED} ${REDACTED}`,
      ok: true,
    });
    // The requester passed the token in an open parameter: its echo is theirs, shown as sent.
    expect(r.redactOutput({ stdout: `echo ${token}` }, "echo", { msg: token })).toEqual({
      stdout: `echo ${token}`,
    });
    expect(
      r.redactOutput({ stdout: "echo a-wrong-guess-0000" }, "echo", { msg: "a-wrong-guess-0000" }),
    ).toEqual({ stdout: "echo a-wrong-guess-0000" });
  });

  it("is only as wide as the secrets it is given: a common word is not one", () => {
    const r = new Redactor().addSecrets([token]);
    expect(r.redactString("vigil restarted api")).toBe("vigil restarted api");
    expect(r.redactString(`Bearer ${token}`)).toBe(`Bearer ${REDACTED}`);
  });
});
