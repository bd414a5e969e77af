/**
 * The condition language where Gatus's behaviour is not in its README but in its code: numbers in
 * any base, JSON paths that do not resolve, literal-only and unknown-placeholder conditions, the
 * spaces around the operator, and how a failure explains itself. Then where Vigil differs on
 * purpose, each with its reason.
 */
import { describe, expect, it } from "vitest";
import { evaluateAll, parseCondition, type Condition } from "./index.ts";

function cond(text: string): Condition {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(`${text}: ${r.message}`);
  return r.condition;
}

function judge(text: string, values: Record<string, unknown> = {}) {
  const r = evaluateAll([cond(text)], values).results[0];
  if (!r) throw new Error("no result");
  return r;
}

const refusal = (text: string) => {
  const r = parseCondition(text);
  return r.ok ? "accepted" : `${r.column}: ${r.message}`;
};

describe("as Gatus reads it", () => {
  it.each([
    ["[BODY].data == 1", '{"data":"0x1"}'],
    ["[BODY].data == 15", '{"data":"0xF"}'],
    ["[BODY].data == 0x1", '{"data":1}'],
    ["[BODY].data == 2", '{"data":"0o2"}'],
    ["[BODY].data == 0b10", '{"data":"0b0010"}'],
    ["[BODY].data == 8", '{"data":"010"}'],
    ["[BODY].data > 0", '{"data":"0b1"}'],
    ["[BODY].data >= 16", '{"data":"0x10"}'],
    ["0x10 == 16", "{}"],
  ])("reads integers in any base on either side: %s with %s", (text, body) => {
    expect(judge(text, { BODY: body }).ok).toBe(true);
  });

  it("compares other text as text, so 1.0 is not 1", () => {
    expect(judge("[BODY].x == 1.0", { BODY: '{"x":1}' }).ok).toBe(false);
    expect(judge("[BODY].x == 123.40000000000005", { BODY: '{"x":123.40000000000005}' }).ok).toBe(true);
  });

  it("counts a JSON root array's items with len([BODY]), and measures any other body as text", () => {
    expect(judge("len([BODY]) == 3", { BODY: '[{"id":1},{"id":2},{"id":3}]' }).ok).toBe(true);
    expect(judge("len([BODY]) == 20", { BODY: '{"name": "john.doe"}' }).ok).toBe(true);
    expect(judge("len([BODY]) == 4", { BODY: "pong" }).ok).toBe(true);
  });

  it("shows an object at a path as minified JSON with sorted keys, and an array as Go prints it", () => {
    expect(judge("[BODY].u == x", { BODY: '{"u": {"id": 1, "a": "<b>"}}' }).explanation).toBe(
      '[BODY].u ({"a":"\\u003cb\\u003e","id":1}) == x',
    );
    expect(judge("len([BODY][0]) == 23", { BODY: '[{"age":18,"adult":true}]' }).ok).toBe(true);
    expect(judge("[BODY].a == x", { BODY: '{"a":["hello", 2, null]}' }).explanation).toBe(
      "[BODY].a ([hello 2 <nil>]) == x",
    );
  });

  it("takes placeholders in any case, under their canonical name", () => {
    expect(judge("[status] == 200", { STATUS: 200 }).ok).toBe(true);
    expect(judge("[Body].Name == x", { BODY: '{"Name":"x"}' }).ok).toBe(true);
    const c = cond("len([certificate_expiration]) > 0");
    expect(c.left).toMatchObject({ kind: "placeholder", name: "CERT_EXPIRES_IN", fn: "len" });
  });

  it("finds nothing at a negative index, as Gatus does not count from the end", () => {
    expect(judge("has([BODY].data[-1]) == false", { BODY: '{"data":[1,2,3]}' }).ok).toBe(true);
    expect(judge("has([BODY][-1]) == false", { BODY: "[1,2,3]" }).ok).toBe(true);
    expect(judge("[BODY].data[-1] == 3", { BODY: '{"data":[1,2,3]}' }).explanation).toBe(
      "[BODY].data[-1] (INVALID) == 3",
    );
    expect(judge("has([BODY].ids[wat]) == false", { BODY: '{"ids":[1]}' }).ok).toBe(true);
  });

  it("puts pat() and any() on either side", () => {
    expect(judge("any(200, 429) == [STATUS]", { STATUS: 429 }).ok).toBe(true);
    expect(judge("pat(4*) == [STATUS]", { STATUS: 404 }).ok).toBe(true);
    expect(judge("pat(4*) != [STATUS]", { STATUS: 200 }).explanation).toBe("pat(4*) != [STATUS] (200)");
  });

  it("allows conditions without a placeholder", () => {
    expect(judge("1 == 2")).toMatchObject({ ok: false, explanation: "1 == 2" });
    expect(judge("raw == raw")).toMatchObject({ ok: true, explanation: "raw == raw" });
  });

  it("reads an unknown placeholder as its own text; has() of it is false, len() invalid", () => {
    expect(judge("[UNKNOWN] == [UNKNOWN]").ok).toBe(true);
    expect(judge("[UNKNOWN] == x").explanation).toBe("[UNKNOWN] == x");
    expect(judge("has([UNKNOWN]) == false").ok).toBe(true);
    expect(judge("has() == false").ok).toBe(true);
    expect(judge("len([UNKNOWN]) == 0").explanation).toBe("len([UNKNOWN]) (INVALID) == 0");
  });

  it("needs a space on each side of the operator", () => {
    expect(refusal("[STATUS]==201")).toMatch(/^9: put a space on each side of "=="/);
    expect(refusal("[STATUS] = = 201")).toMatch(/^1: no comparison operator/);
    expect(refusal("[STATUS] ? 201")).toMatch(/^1: no comparison operator/);
    expect(refusal("[STATUS] ==")).toMatch(/^12: nothing after "=="/);
  });
});

describe("a failure explains itself as Gatus does", () => {
  it("marks a path that does not resolve (INVALID)", () => {
    expect(judge("[BODY].data.name == john", { BODY: '{"data":{"id":1}}' }).explanation).toBe(
      "[BODY].data.name (INVALID) == john",
    );
    expect(judge("len([BODY].data) == 8", { BODY: '{"name":"x"}' }).explanation).toBe(
      "len([BODY].data) (INVALID) == 8",
    );
    expect(judge("[BODY].data == OK", { BODY: '{"data":null}' }).explanation).toBe(
      "[BODY].data (INVALID) == OK",
    );
    expect(judge("[BODY][0].name == t", { BODY: '{"a":1}' }).explanation).toBe(
      "[BODY][0].name (INVALID) == t",
    );
  });

  it("shows the right-hand placeholder's value too", () => {
    expect(
      judge("[BODY].user.firstName == [BODY].user.lastName", {
        BODY: '{"user":{"firstName":"john","lastName":"doe"}}',
      }).explanation,
    ).toBe("[BODY].user.firstName (john) == [BODY].user.lastName (doe)");
  });

  it("shows durations as durations, and what an order comparison read a word as", () => {
    expect(judge("[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 86_400_000 }).explanation).toBe(
      "[CERTIFICATE_EXPIRATION] (24h) > 48h",
    );
    expect(judge("[CERT_EXPIRES_IN] > 2419200000", { CERT_EXPIRES_IN: 1_209_600_000 }).explanation).toBe(
      "[CERT_EXPIRES_IN] (336h) > 2419200000",
    );
    expect(judge("[RESPONSE_TIME] < potato", { RESPONSE_TIME: 50 }).explanation).toBe(
      "[RESPONSE_TIME] (50) < potato (0)",
    );
    expect(judge("[RESPONSE_TIME] > 1s", { RESPONSE_TIME: 20 }).explanation).toBe(
      "[RESPONSE_TIME] (20) > 1s",
    );
    expect(judge("[RESPONSE_TIME] < 90m", { RESPONSE_TIME: 6e6 }).explanation).toBe(
      "[RESPONSE_TIME] (6000000) < 90m (1h30m)",
    );
  });

  it("cuts a value compared with a pattern after 25 characters", () => {
    const body = `<!DOCTYPE html><html lang="en"><body><div id="user">jane.doe</div></body></html>`;
    const expected = "[BODY] (<!DOCTYPE html><html lang...(truncated)) == pat(*<div>john.doe</div>*)";
    expect(judge("[BODY] == pat(*<div>john.doe</div>*)", { BODY: body }).explanation).toBe(expected);
    expect(judge("pat(*john*) == [BODY]", { BODY: body }).explanation).toBe(
      "pat(*john*) == [BODY] (<!DOCTYPE html><html lang...(truncated))",
    );
  });
});

describe("where Vigil differs from Gatus on purpose", () => {
  it("fails an order comparison with nothing to read, where Gatus reads 0: an error page must not pass", () => {
    expect(judge("[BODY].errors < 5", { BODY: "<html>502</html>" })).toMatchObject({
      ok: false,
      explanation: "[BODY].errors (INVALID) < 5",
    });
    expect(judge("[BODY].missing == pat(*)", { BODY: "{}" }).ok).toBe(false);
    expect(judge("[BODY].missing != pat(*)", { BODY: "{}" }).ok).toBe(true);
  });

  it("prints 0 as 0 (Gatus: `0 (0s)`), and 90 seconds as 1m30s (Gatus: 1m3)", () => {
    expect(judge("len([BODY].items) > 0", { BODY: '{"items":[]}' }).explanation).toBe(
      "len([BODY].items) (0) > 0",
    );
    expect(judge("[CERT_EXPIRES_IN] > 1h", { CERT_EXPIRES_IN: 90_000 }).explanation).toBe(
      "[CERT_EXPIRES_IN] (1m30s) > 1h",
    );
  });

  it("keeps decimals and days, and prints large JSON numbers in plain digits", () => {
    expect(judge("[BODY].x > 2", { BODY: '{"x":2.5}' })).toMatchObject({
      ok: true,
      explanation: "[BODY].x (2.5) > 2",
    });
    expect(judge("[CERT_EXPIRES_IN] > 7d", { CERT_EXPIRES_IN: 3 * 86_400_000 }).explanation).toBe(
      "[CERT_EXPIRES_IN] (72h) > 7d (168h)",
    );
    expect(judge("[BODY].n == 1500000", { BODY: '{"n":1500000}' }).ok).toBe(true);
  });

  it("cuts any value after 100 characters, so a page body does not fill an alert", () => {
    const r = judge("[BODY] == ok", { BODY: "x".repeat(500) });
    expect(r.explanation).toBe(`[BODY] (${"x".repeat(100)}...(truncated)) == ok`);
    expect(judge("[BODY] == ok", { BODY: "é".repeat(100) }).explanation).toBe(
      `[BODY] (${"é".repeat(100)}) == ok`,
    );
  });

  it("refuses at load what Gatus would accept and then mis-read", () => {
    expect(refusal("[BODY].a == b == c")).toMatch(/^15: "==" appears twice/);
    expect(refusal("[BODY] == pat([a-)")).toMatch(/^11: pat\(\): malformed range/);
    expect(refusal("pat(a*) == any(a, b)")).toMatch(/^1: compare a value with pat\(\), not two functions/);
    expect(refusal("[BODY].items[*].id == 1")).toMatch(/^1: .*wildcard index \[\*\] is not supported/);
    expect(refusal("[BODY].. == 1")).toMatch(/^1: cannot read the path/);
    expect(refusal("[STATUS] == FOO(1)")).toMatch(/^13: unknown function/);
  });

  it("splits on the operator outside a pattern, where Gatus splits on the first == anywhere", () => {
    expect(judge("[BODY] != pat(*a == b*)", { BODY: "x" }).ok).toBe(true);
  });
});
