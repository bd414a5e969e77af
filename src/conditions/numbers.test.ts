import { describe, expect, it } from "vitest";
import { formatGoDuration, parseGoDuration, parseGoInt, readNumber } from "./numbers.ts";

describe("numbers as Go reads them", () => {
  it.each([
    ["0", 0n],
    ["42", 42n],
    ["-7", -7n],
    ["+7", 7n],
    ["0x1F", 31n],
    ["0XC0ff33", 12648243n],
    ["-0x10", -16n],
    ["0o17", 15n],
    ["017", 15n],
    ["0b1010", 10n],
    ["1_000", 1000n],
    ["9223372036854775807", 9223372036854775807n],
  ])("ParseInt(%j, 0, 64) is %s", (text, n) => {
    expect(parseGoInt(text)).toBe(n);
  });

  it.each([["08"], ["1.5"], ["0x"], ["1__0"], ["_1"], [" 1"], [""], ["9223372036854775808"], ["abc"]])(
    "ParseInt(%j) fails",
    (text) => {
      expect(parseGoInt(text)).toBeUndefined();
    },
  );

  it.each([
    ["1s", 1000],
    ["1.5h", 5_400_000],
    ["1h30m", 5_400_000],
    ["500ms", 500],
    ["1500us", 1],
    ["-2m", -120_000],
    [".5s", 500],
    ["0", 0],
    ["2d", 172_800_000],
  ])("ParseDuration(%j) is %sms", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([["1"], ["s"], ["1x"], ["1mss"], [""], ["-"], ["1h 30m"]])("ParseDuration(%j) fails", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it.each([
    [0, "0s"],
    [999, "0s"],
    [45_000, "45s"],
    [90_000, "1m30s"],
    [600_000, "10m"],
    [3_600_000, "1h"],
    [3_615_000, "1h0m15s"],
    [5_400_000, "1h30m"],
    [1_209_600_000, "336h"],
    [-86_400_000, "-24h"],
  ])("prints %sms as %s", (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it("reads a side of an order comparison as a duration, an integer, a decimal, else 0", () => {
    expect(readNumber("1s")).toEqual({ int: 1000n });
    expect(readNumber("0x10")).toEqual({ int: 16n });
    expect(readNumber("2.5")).toEqual({ float: 2.5 });
    expect(readNumber("1e3")).toEqual({ float: 1000 });
    expect(readNumber("potato")).toEqual({ int: 0n });
    expect(readNumber("")).toEqual({ int: 0n });
  });

  it("reads a megabyte of digits in one pass, and a count past int64 as Go does", () => {
    // A probe's body is anyone's text, up to a megabyte, read at every check. BigInt took 0.5 to 2 s
    // over a megabyte of digits, a pattern with one group per digit a fifth of a second more, and a
    // duration of 400 digits threw (Infinity, or NaN for a fraction) instead of reading as Go does.
    // Each now takes milliseconds; the bound is the test's timeout.
    const mb = 1 << 20;
    const ones = "1".repeat(mb);
    const zeros = "0".repeat(mb);
    expect(readNumber(ones)).toEqual({ float: Infinity });
    expect(readNumber(`${zeros}7`)).toEqual({ int: 7n });
    expect(readNumber(`0x${"f".repeat(mb)}`)).toEqual({ int: 0n });
    expect(readNumber(`${"1_".repeat(mb / 2)}1`)).toEqual({ int: 0n });
    expect(readNumber(`${ones}s`)).toEqual({ int: 0n });
    expect(readNumber(`${"1".repeat(400)}s`)).toEqual({ int: 0n });
    expect(readNumber(`.${ones}s`)).toEqual({ int: 111n });
    expect(readNumber(`.${"1".repeat(400)}h`)).toEqual({ int: 400_000n });
    expect(readNumber(`${zeros}1s`)).toEqual({ int: 1000n });
    expect(readNumber(`1.${zeros}5h`)).toEqual({ int: 3_600_000n });
    expect(parseGoInt(`-${zeros}1`)).toBe(-1n);
    expect(parseGoInt(`0b${"0".repeat(mb)}${"1".repeat(63)}`)).toBe(2n ** 63n - 1n);
    expect(parseGoInt(`0b1${"0".repeat(63)}`)).toBeUndefined();
  });
});
