/**
 * Gatus's documentation, as tests: the README's "Conditions" section (the table of examples with
 * their passing and failing values, the placeholders, the functions len/has/pat/any), each failing
 * value with the explanation Gatus prints for it. A Gatus user's conditions must mean the same here.
 */
import { describe, expect, it } from "vitest";
import { evaluateAll, parseCondition } from "./index.ts";

const h = 3_600_000;

function judge(text: string, values: Record<string, unknown>) {
  const parsed = parseCondition(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
  const r = evaluateAll([parsed.condition], values).results[0];
  if (!r) throw new Error("no result");
  return r;
}

type Example = [condition: string, values: Record<string, unknown>, explanation: string];

/** README "Conditions": the examples, with a value from their "Passing values" column. */
const passing: [condition: string, values: Record<string, unknown>][] = [
  ["[STATUS] == 200", { STATUS: 200 }],
  ["[STATUS] < 300", { STATUS: 200 }],
  ["[STATUS] < 300", { STATUS: 201 }],
  ["[STATUS] < 300", { STATUS: 299 }],
  ["[STATUS] <= 299", { STATUS: 299 }],
  ["[STATUS] > 400", { STATUS: 401 }],
  ["[STATUS] > 400", { STATUS: 404 }],
  ["[STATUS] == any(200, 429)", { STATUS: 200 }],
  ["[STATUS] == any(200, 429)", { STATUS: 429 }],
  ["[CONNECTED] == true", { CONNECTED: true }],
  ["[RESPONSE_TIME] < 500", { RESPONSE_TIME: 300 }],
  ["[IP] == 127.0.0.1", { IP: "127.0.0.1" }],
  ["[BODY] == 1", { BODY: "1" }],
  ["[BODY].user.name == john", { BODY: '{"user":{"name":"john"}}' }],
  ["[BODY].data[0].id == 1", { BODY: '{"data":[{"id":1}]}' }],
  ["[BODY].age == [BODY].id", { BODY: '{"age":1,"id":1}' }],
  ["len([BODY].data) < 5", { BODY: '{"data":[{"id":1}]}' }],
  ["len([BODY].name) == 8", { BODY: '{"name":"john.doe"}' }],
  ["has([BODY].errors) == false", { BODY: '{"name":"john.doe"}' }],
  ["has([BODY].users) == true", { BODY: '{"users":[]}' }],
  ["[BODY].name == pat(john*)", { BODY: '{"name":"john.doe"}' }],
  ["[BODY].id == any(1, 2)", { BODY: '{"id":1}' }],
  ["[BODY].id == any(1, 2)", { BODY: '{"id":2}' }],
  ["[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 49 * h }],
  ["[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 123 * h }],
];

/** The same examples with a value from their "Failing values" column, and what the alert says. */
const failing: Example[] = [
  ["[STATUS] == 200", { STATUS: 201 }, "[STATUS] (201) == 200"],
  ["[STATUS] == 200", { STATUS: 404 }, "[STATUS] (404) == 200"],
  ["[STATUS] < 300", { STATUS: 301 }, "[STATUS] (301) < 300"],
  ["[STATUS] <= 299", { STATUS: 302 }, "[STATUS] (302) <= 299"],
  ["[STATUS] > 400", { STATUS: 400 }, "[STATUS] (400) > 400"],
  ["[STATUS] > 400", { STATUS: 200 }, "[STATUS] (200) > 400"],
  ["[STATUS] == any(200, 429)", { STATUS: 201 }, "[STATUS] (201) == any(200, 429)"],
  ["[CONNECTED] == true", { CONNECTED: false }, "[CONNECTED] (false) == true"],
  ["[RESPONSE_TIME] < 500", { RESPONSE_TIME: 500 }, "[RESPONSE_TIME] (500) < 500"],
  ["[RESPONSE_TIME] < 500", { RESPONSE_TIME: 501 }, "[RESPONSE_TIME] (501) < 500"],
  ["[IP] == 127.0.0.1", { IP: "0.0.0.0" }, "[IP] (0.0.0.0) == 127.0.0.1"],
  ["[BODY] == 1", { BODY: "{}" }, "[BODY] ({}) == 1"],
  ["[BODY] == 1", { BODY: "2" }, "[BODY] (2) == 1"],
  ["len([BODY].name) == 8", { BODY: '{"name":"bob"}' }, "len([BODY].name) (3) == 8"],
  ["has([BODY].errors) == false", { BODY: '{"errors":[]}' }, "has([BODY].errors) (true) == false"],
  ["has([BODY].users) == true", { BODY: "{}" }, "has([BODY].users) (false) == true"],
  ["[BODY].name == pat(john*)", { BODY: '{"name":"bob"}' }, "[BODY].name (bob) == pat(john*)"],
  ["[BODY].id == any(1, 2)", { BODY: '{"id":3}' }, "[BODY].id (3) == any(1, 2)"],
  ["[BODY].id == any(1, 2)", { BODY: '{"id":5}' }, "[BODY].id (5) == any(1, 2)"],
  ["[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 1 * h }, "[CERTIFICATE_EXPIRATION] (1h) > 48h"],
  ["[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 24 * h }, "[CERTIFICATE_EXPIRATION] (24h) > 48h"],
];

describe("Gatus's README, Conditions", () => {
  it.each(passing)("%s holds for %j", (text, values) => {
    expect(judge(text, values).ok).toBe(true);
  });

  it.each(failing)("%s fails for %j, explained as %s", (text, values, explanation) => {
    const r = judge(text, values);
    expect(r.ok).toBe(false);
    expect(r.explanation).toBe(explanation);
  });
});

describe("Gatus's README, Placeholders", () => {
  it("[STATUS], [RESPONSE_TIME] (ms), [IP], [CONNECTED] and [DNS_RCODE] resolve to what the probe saw", () => {
    expect(judge("[STATUS] == 200", { STATUS: 404 }).explanation).toBe("[STATUS] (404) == 200");
    expect(judge("[RESPONSE_TIME] < 5", { RESPONSE_TIME: 10 }).explanation).toBe("[RESPONSE_TIME] (10) < 5");
    expect(judge("[IP] == pat(192.168.*)", { IP: "192.168.0.232" }).ok).toBe(true);
    expect(judge("[CONNECTED] == false", { CONNECTED: true }).explanation).toBe(
      "[CONNECTED] (true) == false",
    );
    expect(judge("[DNS_RCODE] == NOERROR", { DNS_RCODE: "NXDOMAIN" }).explanation).toBe(
      "[DNS_RCODE] (NXDOMAIN) == NOERROR",
    );
  });

  it("[BODY] resolves into the response body, and supports JSONPath", () => {
    expect(judge("[BODY] == pong", { BODY: '{"name":"john.doe"}' }).explanation).toBe(
      '[BODY] ({"name":"john.doe"}) == pong',
    );
    expect(judge("[BODY].name == jane.doe", { BODY: '{"name":"john.doe"}' }).explanation).toBe(
      "[BODY].name (john.doe) == jane.doe",
    );
  });

  it("[CERTIFICATE_EXPIRATION] is a duration, compared with 24h or 48h, and 0 without a certificate", () => {
    expect(judge("[CERTIFICATE_EXPIRATION] > 24h", { CERT_EXPIRES_IN: 48 * h }).ok).toBe(true);
    expect(judge("[CERTIFICATE_EXPIRATION] == 0", {}).ok).toBe(true);
    expect(judge("[CERTIFICATE_EXPIRATION] > 24h", {}).explanation).toBe(
      "[CERTIFICATE_EXPIRATION] (0s) > 24h",
    );
    expect(
      judge("[CERTIFICATE_EXPIRATION] > 48h", { CERT_EXPIRES_IN: 1234 * h + 56 * 60_000 }).explanation,
    ).toBe("[CERTIFICATE_EXPIRATION] (1234h56m) > 48h");
  });

  it("reads [CERTIFICATE_EXPIRATION] as the placeholder Vigil calls [CERT_EXPIRES_IN]", () => {
    const r = parseCondition("[CERTIFICATE_EXPIRATION] > 48h");
    expect(r.ok && r.condition.left).toMatchObject({ kind: "placeholder", name: "CERT_EXPIRES_IN" });
  });
});

describe("Gatus's README, Functions", () => {
  it("len: the length of an array at the path", () => {
    expect(judge("len([BODY].data) < 5", { BODY: '{"data":[1,2,3,4,5,6]}' }).explanation).toBe(
      "len([BODY].data) (6) < 5",
    );
  });

  it("len: otherwise the number of characters of the minified JSON at the path", () => {
    expect(judge("len([BODY].username) > 8", { BODY: '{"username":"john"}' }).explanation).toBe(
      "len([BODY].username) (4) > 8",
    );
    expect(judge("len([BODY].user) == 17", { BODY: '{"user": {"id": 1, "a": true}}' }).ok).toBe(true);
    expect(judge("len([BODY].age) == 2", { BODY: '{"age": 42}' }).ok).toBe(true);
  });

  it("has: true or false, whether the path is valid", () => {
    expect(judge("has([BODY].errors) == false", { BODY: '{"errors":[]}' }).explanation).toBe(
      "has([BODY].errors) (true) == false",
    );
    expect(judge("has([BODY].users) == true", { BODY: "not json" }).explanation).toBe(
      "has([BODY].users) (false) == true",
    );
  });

  it("pat: the parameter is a pattern, with == and != only", () => {
    expect(judge("[IP] == pat(192.168.*)", { IP: "10.0.0.1" }).explanation).toBe(
      "[IP] (10.0.0.1) == pat(192.168.*)",
    );
    expect(judge("[IP] != pat(192.168.*)", { IP: "10.0.0.1" }).ok).toBe(true);
    expect(judge("[STATUS] == pat(2*)", { STATUS: 204 }).ok).toBe(true);
    const r = parseCondition("[STATUS] > pat(2*)");
    expect(r.ok ? "" : r.message).toMatch(/pat\(\) works only with == or !=/);
  });

  it("any: any one of the values is valid, with == and != only", () => {
    expect(judge("[BODY].ip == any(127.0.0.1, ::1)", { BODY: '{"ip":"::1"}' }).ok).toBe(true);
    expect(judge("[BODY].ip == any(127.0.0.1, ::1)", { BODY: '{"ip":"10.0.0.1"}' }).explanation).toBe(
      "[BODY].ip (10.0.0.1) == any(127.0.0.1, ::1)",
    );
    expect(judge("[BODY].ip != any(127.0.0.1, ::1)", { BODY: '{"ip":"10.0.0.1"}' }).ok).toBe(true);
    const r = parseCondition("[STATUS] <= any(200, 204)");
    expect(r.ok ? "" : r.message).toMatch(/any\(\) works only with == or !=/);
  });
});
