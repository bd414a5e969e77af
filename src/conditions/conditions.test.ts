import { describe, expect, it } from "vitest";
import { evaluateAll, parseCondition, type Condition } from "./index.ts";

function cond(text: string): Condition {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(`${text}: ${r.message}`);
  return r.condition;
}

function judge(text: string, values: Record<string, unknown>) {
  const j = evaluateAll([cond(text)], values);
  const r = j.results[0];
  if (!r) throw new Error("no result");
  return r;
}

describe("conditions", () => {
  it.each([
    ["[STATUS] == 200", { STATUS: 200 }, true],
    ["[STATUS] == 200", { STATUS: 503 }, false],
    ["[STATUS] != 200", { STATUS: 503 }, true],
    ["[STATUS] < 400", { STATUS: 302 }, true],
    ["[STATUS] >= 500", { STATUS: 499 }, false],
    ["[RESPONSE_TIME] <= 1000", { RESPONSE_TIME: 1000 }, true],
    ["[RESPONSE_TIME] > 10", { RESPONSE_TIME: 9 }, false],
    ["[CONNECTED] == true", { CONNECTED: true }, true],
    ["[CONNECTED] == true", { CONNECTED: false }, false],
    ["[BODY].status == healthy", { BODY: '{"status":"healthy"}' }, true],
    ["[BODY].status == healthy", { BODY: '{"status":"degraded"}' }, false],
    ["[BODY].a.b[1] == 7", { BODY: '{"a":{"b":[3,7]}}' }, true],
    ["[BODY].stuck == 0", { BODY: '{"stuck":0}' }, true],
    ["[BODY].completion_rate >= 0.5", { BODY: '{"completion_rate":0.49}' }, false],
    ["[BODY] == pong", { BODY: "pong" }, true],
    ["len([BODY].items) > 1", { BODY: '{"items":[1,2,3]}' }, true],
    ["len([BODY]) == 4", { BODY: "pong" }, true],
    ["has([BODY].error) == false", { BODY: '{"ok":true}' }, true],
    ["has([BODY].error) == false", { BODY: '{"error":"x"}' }, false],
    ["[BODY].name == pat(web-*)", { BODY: '{"name":"web-12"}' }, true],
    ["[BODY].name == pat(web-*)", { BODY: '{"name":"db-1"}' }, false],
    ["[BODY].name != pat(db-*)", { BODY: '{"name":"web-1"}' }, true],
    ["[STATUS] == any(200, 204)", { STATUS: 204 }, true],
    ["[STATUS] == any(200, 204)", { STATUS: 500 }, false],
    ["[CERT_EXPIRES_IN] > 48h", { CERT_EXPIRES_IN: 3 * 86_400_000 }, true],
    ["[CERT_EXPIRES_IN] > 48h", { CERT_EXPIRES_IN: 86_400_000 }, false],
    ["[EXIT_CODE] == 0", { EXIT_CODE: 0 }, true],
    ["[STDOUT] == pat(*ready*)", { STDOUT: "all ready now" }, true],
    ["[BODY].missing == 1", { BODY: "{}" }, false],
    ["[BODY].missing != 1", { BODY: "{}" }, true],
    // Gatus reads a value that is not a number as 0 in an order comparison (`potato (0)`)...
    ["[BODY].x < 3", { BODY: '{"x":"abc"}' }, true],
    // ...but a path that reaches nothing fails it, where Gatus would read 0 too.
    ["[BODY].x < 3", { BODY: "{}" }, false],
    ["[BODY].x == [STATUS]", { BODY: '{"x":200}', STATUS: 200 }, true],
  ])("%s with %j → %s", (text, values, ok) => {
    expect(judge(text, values).ok).toBe(ok);
  });

  it("explains a failure with the value it saw, Gatus style", () => {
    expect(judge("[STATUS] == 200", { STATUS: 503 }).explanation).toBe("[STATUS] (503) == 200");
    expect(judge("[BODY].status == ok", { BODY: '{"status":"degraded"}' }).explanation).toBe(
      "[BODY].status (degraded) == ok",
    );
    expect(judge("[EXIT_CODE] == 0", { EXIT_CODE: 3 }).explanation).toBe("[EXIT_CODE] (3) == 0");
    expect(judge("[BODY].gone == 1", { BODY: "{}" }).explanation).toBe("[BODY].gone (INVALID) == 1");
  });

  it("judges every condition, not only up to the first failure", () => {
    const j = evaluateAll([cond("[STATUS] == 200"), cond("[RESPONSE_TIME] < 10")], {
      STATUS: 500,
      RESPONSE_TIME: 50,
    });
    expect(j.ok).toBe(false);
    expect(j.results.map((r) => r.ok)).toEqual([false, false]);
  });

  it.each([
    ["[STATUS] 200", /no comparison operator/, 1],
    ["== 200", /nothing before/, 1],
    ["[STATUS] ==", /nothing after/, 12],
    ["[STATUS]==200", /space on each side/, 9],
    ["[BODY].. == 1", /cannot read the path/, 1],
    ["[STATUS] < any(1, 2)", /only with == or !=/, 10],
    ["[STATUS] == foo(1)", /unknown function/, 13],
  ])("refuses %s with a message and a column", (text, message, column) => {
    const r = parseCondition(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(message);
      expect(r.column).toBe(column);
    }
  });
});
