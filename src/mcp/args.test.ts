import { describe, expect, it } from "vitest";
import { argsOf, int, oneOf, params, str } from "./args.ts";

describe("tool arguments", () => {
  const { inputSchema, check } = argsOf({
    name: str("a name", { min: 1, max: 5 }),
    note: str("a note", { max: 10, optional: true }),
    n: int("a count", { min: 1, max: 500, fallback: 100 }),
    status: oneOf("a status", ["open", "all"] as const, { optional: true }),
    p: params("parameters", { maxKeys: 2, maxValue: 4 }),
  });

  it("shows the client a closed, bounded schema with the required fields", () => {
    expect(inputSchema).toEqual({
      type: "object",
      properties: {
        name: { type: "string", description: "a name", maxLength: 5, minLength: 1 },
        note: { type: "string", description: "a note", maxLength: 10 },
        n: { type: "integer", description: "a count", minimum: 1, maximum: 500, default: 100 },
        status: { type: "string", description: "a status", enum: ["open", "all"], maxLength: 4 },
        p: {
          type: "object",
          description: "parameters",
          maxProperties: 2,
          additionalProperties: { type: ["string", "number", "boolean"], maxLength: 4 },
        },
      },
      required: ["name"],
      additionalProperties: false,
    });
  });

  it("takes what fits, with the fallbacks", () => {
    expect(check({ name: "api" })).toEqual({ value: { name: "api", n: 100, p: {} } });
    expect(check({ name: "api", n: 5, status: "all", p: { a: "x", b: 2 } })).toEqual({
      value: { name: "api", n: 5, status: "all", p: { a: "x", b: 2 } },
    });
  });

  it.each([
    [{}, "name", "a name"],
    [{ name: "" }, "name", "a name"],
    [{ name: "toolong" }, "name", "at most 5 characters"],
    [{ name: "a", n: 501 }, "n", "a whole number from 1 to 500"],
    [{ name: "a", n: 1.5 }, "n", "a whole number from 1 to 500"],
    [{ name: "a", status: "closed" }, "status", "one of open, all"],
    [{ name: "a", p: [] }, "p", "a JSON object"],
    [{ name: "a", p: { a: "1", b: "2", c: "3" } }, "p", "at most 2 parameters"],
    [
      { name: "a", p: { a: { deep: 1 } } },
      "p",
      '"a" must be a string, number or boolean of at most 4 characters',
    ],
    [
      { name: "a", p: { a: "12345" } },
      "p",
      '"a" must be a string, number or boolean of at most 4 characters',
    ],
  ])("refuses %j naming %s", (input, path, message) => {
    expect(check(input)).toEqual({ problems: [{ path, message }] });
  });

  it("refuses a field it does not declare, listing the ones it does", () => {
    expect(check({ name: "a", requested_by: "olga" })).toEqual({
      problems: [
        { path: "body", message: 'unknown field "requested_by"; the fields are name, note, n, status, p' },
      ],
    });
  });
});
