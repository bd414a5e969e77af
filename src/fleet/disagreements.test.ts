import { describe, expect, it } from "vitest";
import { describeDisagreement, disagreements } from "./disagreements.ts";

describe("shared check disagreements", () => {
  it("reports definitions that differ and checks some live agents lack, and nothing else", () => {
    const found = disagreements(
      new Map<string, Record<string, string>>([
        ["web-1", { api: "aaa", db: "ddd", same: "sss" }],
        ["web-2", { api: "aaa", db: "ddd", same: "sss" }],
        ["web-3", { api: "bbb", same: "sss" }],
      ]),
    );
    expect(found).toEqual([
      {
        check: "api",
        problem: "differs",
        definitions: { aaa: ["web-1", "web-2"], bbb: ["web-3"] },
        missing: [],
      },
      { check: "db", problem: "partial", definitions: { ddd: ["web-1", "web-2"] }, missing: ["web-3"] },
    ]);
    expect(found.map(describeDisagreement)).toEqual([
      "the agents hold 2 different definitions ([web-1, web-2] vs [web-3])",
      "configured on web-1, web-2 only; not on web-3",
    ]);
    expect(disagreements(new Map([["web-1", { api: "aaa" }]]))).toEqual([]);
  });
});
