import { describe, expect, it } from "vitest";
import { jsonText } from "./compressed.ts";

describe("jsonText", () => {
  it("writes what JSON.stringify writes", () => {
    const values: unknown[] = [
      null,
      1.5,
      'a"b\\n',
      [1, undefined, () => 1, null],

      [1, , 3],
      { a: undefined, b: () => 1, c: [{ d: new Date(0), e: [1, [2, { f: NaN }]] }], 'g"h': true },
      Object.freeze({ x: Object.freeze([Object.freeze({ y: 1 }), { z: undefined }]) }),
      { toJSON: () => ({ replaced: true }) },
      new Map([[1, 2]]),
    ];
    for (const v of values) expect(jsonText(v)).toBe(JSON.stringify(v));
  });

  it("serialises a frozen object once, however many bodies hold it", () => {
    let reads = 0;
    const entry = Object.freeze({
      get name() {
        reads++;
        return "web";
      },
    });
    const first = jsonText({ generated_at: 1, targets: [entry, { name: "db" }] });
    const second = jsonText({ generated_at: 2, targets: [entry, { name: "db" }] });
    expect(first).toBe('{"generated_at":1,"targets":[{"name":"web"},{"name":"db"}]}');
    expect(second).toBe('{"generated_at":2,"targets":[{"name":"web"},{"name":"db"}]}');
    expect(reads).toBe(1);
  });
});
