import { describe, expect, it } from "vitest";
import { flag, map, shape, text } from "./fields.ts";

const body = shape({
  name: text({ min: 1, max: 5, hint: "a short name" }),
  note: text({ max: 10, fallback: "" }),
  target: text({ min: 1, max: 5, optional: true }),
  dry_run: flag(false),
  params: map(),
});

describe("request body rules", () => {
  it("fills the fallbacks and leaves an absent optional field out", () => {
    expect(body({ name: "api" })).toEqual({ value: { name: "api", note: "", dry_run: false, params: {} } });
    expect(body({ name: "api", target: "web", dry_run: true, params: { n: 1 } })).toEqual({
      value: { name: "api", note: "", target: "web", dry_run: true, params: { n: 1 } },
    });
  });

  it("names every field that is wrong, and every field it does not know", () => {
    const r = body({ name: "", note: "x".repeat(11), target: 7, dry_run: "yes", params: [], extra: 1 });
    expect(r).toEqual({
      problems: [
        { path: "name", message: "a short name" },
        { path: "note", message: "at most 10 characters" },
        { path: "target", message: "a string" },
        { path: "dry_run", message: "true or false" },
        { path: "params", message: "a JSON object" },
        {
          path: "body",
          message: 'unknown field "extra"; the fields are name, note, target, dry_run, params',
        },
      ],
    });
  });

  it("refuses a body that is not an object, a missing required field, and a value `valid` refuses", () => {
    expect(body([])).toEqual({ problems: [{ path: "body", message: "a JSON object" }] });
    expect(body(null)).toEqual({ problems: [{ path: "body", message: "a JSON object" }] });
    expect(body({})).toEqual({ problems: [{ path: "name", message: "a short name" }] });
    const even = shape({ n: text({ max: 3, hint: "an even length", valid: (s) => s.length % 2 === 0 }) });
    expect(even({ n: "ab" })).toEqual({ value: { n: "ab" } });
    expect(even({ n: "abc" })).toEqual({ problems: [{ path: "n", message: "an even length" }] });
  });

  it("treats __proto__ in JSON as an unknown field, not as the object's prototype", () => {
    const r = body(JSON.parse('{"name": "a", "__proto__": {"dry_run": true}}'));
    expect(r).toEqual({
      problems: [
        {
          path: "body",
          message: 'unknown field "__proto__"; the fields are name, note, target, dry_run, params',
        },
      ],
    });
  });
});
