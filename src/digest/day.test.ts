/**
 * The digest's day in its time zone: a calendar day is 24 hours only most of the time, and "yesterday"
 * is a different day in Berlin and in Los Angeles at the same instant.
 */
import { describe, expect, it } from "vitest";
import { addDays, dayWindow, dueDay, parseDate, startOfDay, wallClock, yesterday } from "./day.ts";

const hours = (w: { from: number; to: number }) => (w.to - w.from) / 3_600_000;
const utc = (iso: string) => Date.parse(iso);

describe("the day window", () => {
  it("is midnight to midnight in the zone, in UTC milliseconds", () => {
    expect(dayWindow("2026-12-05", "UTC")).toEqual({
      from: utc("2026-12-05T00:00Z"),
      to: utc("2026-12-06T00:00Z"),
    });
    expect(dayWindow("2026-12-05", "Europe/Berlin")).toEqual({
      from: utc("2026-12-04T23:00Z"),
      to: utc("2026-12-05T23:00Z"),
    });
    expect(dayWindow("2026-07-05", "Europe/Berlin")).toEqual({
      from: utc("2026-07-04T22:00Z"),
      to: utc("2026-07-05T22:00Z"),
    });
    expect(dayWindow("2026-12-05", "Asia/Kolkata").from).toBe(utc("2026-12-04T18:30Z"));
    expect(dayWindow("2026-12-05", "Pacific/Kiritimati").from).toBe(utc("2026-12-04T10:00Z"));
    expect(dayWindow("2026-12-05", "Pacific/Pago_Pago").from).toBe(utc("2026-12-05T11:00Z"));
  });

  it("is 23 hours on the day clocks go forward and 25 on the day they go back", () => {
    expect(hours(dayWindow("2026-03-29", "Europe/Berlin"))).toBe(23);
    expect(hours(dayWindow("2026-10-25", "Europe/Berlin"))).toBe(25);
    expect(hours(dayWindow("2026-03-08", "America/New_York"))).toBe(23);
    expect(hours(dayWindow("2026-11-01", "America/New_York"))).toBe(25);
    // Lord Howe Island moves its clocks by half an hour.
    expect(hours(dayWindow("2026-10-04", "Australia/Lord_Howe"))).toBe(23.5);
    expect(hours(dayWindow("2026-03-28", "Europe/Berlin"))).toBe(24);
    // The window of one day ends where the next begins: no instant is in two days or in none.
    expect(dayWindow("2026-03-29", "Europe/Berlin").to).toBe(dayWindow("2026-03-30", "Europe/Berlin").from);
  });

  it("begins when the clock first shows the date where midnight does not exist", () => {
    // Chile moves from 00:00 straight to 01:00: 2026-09-06 begins at 01:00 local, 04:00 UTC.
    const from = startOfDay("2026-09-06", "America/Santiago");
    expect(from).toBe(utc("2026-09-06T04:00Z"));
    expect(wallClock(from, "America/Santiago")).toEqual({ date: "2026-09-06", minutes: 60 });
    expect(wallClock(from - 1, "America/Santiago").date).toBe("2026-09-05");
    expect(hours(dayWindow("2026-09-06", "America/Santiago"))).toBe(23);
  });

  it("counts calendar days across months, years and leap days", () => {
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
    expect(parseDate("2026-02-30")).toBeUndefined();
    expect(parseDate("2026-2-3")).toBeUndefined();
    expect(parseDate("2028-02-29")).toEqual({ y: 2028, m: 2, d: 29 });
  });
});

describe("when the digest is due", () => {
  it("is due for yesterday once the zone's wall clock reaches `at`, not before", () => {
    // 06:59 UTC is 07:59 in Berlin: not yet; 07:00 UTC is 08:00.
    expect(dueDay(utc("2026-12-06T06:59:59Z"), "08:00", "Europe/Berlin")).toBeUndefined();
    expect(dueDay(utc("2026-12-06T07:00:00Z"), "08:00", "Europe/Berlin")).toBe("2026-12-05");
    expect(dueDay(utc("2026-12-06T22:59:00Z"), "08:00", "Europe/Berlin")).toBe("2026-12-05");
    // Past midnight in Berlin it is the next day's digest that waits for 08:00.
    expect(dueDay(utc("2026-12-06T23:30:00Z"), "08:00", "Europe/Berlin")).toBeUndefined();
  });

  it("names a different yesterday for different zones at the same instant", () => {
    const now = utc("2026-12-06T03:00Z");
    expect(yesterday(now, "Asia/Tokyo")).toBe("2026-12-05");
    expect(yesterday(now, "America/Los_Angeles")).toBe("2026-12-04");
    expect(dueDay(now, "00:00", "America/Los_Angeles")).toBe("2026-12-04");
  });

  it("is due after the jump when `at` does not exist that day, and once the first time it repeats", () => {
    // 2026-03-29 in Berlin: 02:00 becomes 03:00, so 02:30 never shows; the digest is due at 03:00.
    expect(dueDay(utc("2026-03-29T00:59:00Z"), "02:30", "Europe/Berlin")).toBeUndefined();
    expect(dueDay(utc("2026-03-29T01:00:00Z"), "02:30", "Europe/Berlin")).toBe("2026-03-28");
    // 2026-10-25: 02:30 comes twice; due from the first (00:30 UTC) on.
    expect(dueDay(utc("2026-10-25T00:29:00Z"), "02:30", "Europe/Berlin")).toBeUndefined();
    expect(dueDay(utc("2026-10-25T00:30:00Z"), "02:30", "Europe/Berlin")).toBe("2026-10-24");
  });
});
