import { describe, expect, it } from "vitest";
import { cronProblem, cronSchedule, nextAfter } from "./cron-schedule.ts";

describe("cron schedules", () => {
  it("match minutes, ranges, lists, steps and either day field, as Vixie cron", () => {
    const c = cronSchedule("*/15 2-3 * * 1,7");
    expect(c.match(new Date(2026, 10, 23, 2, 30))).toBe(true); // a Monday
    expect(c.match(new Date(2026, 10, 22, 3, 45))).toBe(true); // a Sunday (7)
    expect(c.match(new Date(2026, 10, 24, 2, 30))).toBe(false); // Tuesday
    expect(c.match(new Date(2026, 10, 23, 2, 31))).toBe(false);
    const either = cronSchedule("0 0 1 * 0");
    expect(either.match(new Date(2026, 10, 1, 0, 0))).toBe(true); // the 1st
    expect(either.match(new Date(2026, 10, 22, 0, 0))).toBe(true); // a Sunday
  });

  it("takes an optional seconds field first, and reads times in the time zone given", () => {
    const t = Date.UTC(2026, 0, 1, 12, 0, 0, 400);
    expect(nextAfter(cronSchedule("*/10 * * * * *"), t)).toBe(Date.UTC(2026, 0, 1, 12, 0, 10));
    // The next time is strictly after: a run at this very second is not named again.
    expect(nextAfter(cronSchedule("*/10 * * * * *"), Date.UTC(2026, 0, 1, 12, 0, 10))).toBe(
      Date.UTC(2026, 0, 1, 12, 0, 20),
    );
    // 02:30 in Amsterdam is 01:30 UTC in winter.
    expect(nextAfter(cronSchedule("30 2 * * *", "Europe/Amsterdam"), t)).toBe(Date.UTC(2026, 0, 2, 1, 30));
    expect(nextAfter(cronSchedule("30 2 * * *", "UTC"), t)).toBe(Date.UTC(2026, 0, 2, 2, 30));
  });

  it("says what is wrong with an expression or a time zone, with an example", () => {
    expect(cronProblem("30 2 * * *")).toBeUndefined();
    expect(cronProblem("*/1 * * * * *", "Europe/Amsterdam")).toBeUndefined();
    expect(cronProblem("61 * * * *")).toMatch(
      /^not a cron expression \(Invalid value for minute: 61\); five fields, or six with seconds first: "30 2 \* \* \*" is 02:30/,
    );
    expect(cronProblem("* * *")).toContain("exactly five, six, or seven space separated parts");
    expect(cronProblem("* * * * * * *")).toContain("requires exactly 5 or 6 parts");
    expect(cronProblem("x * * * *")).toContain("(x) contains illegal characters");
    expect(cronProblem("0 0 30 2 *")).toBe(
      '"0 0 30 2 *" never matches a date; "30 2 * * *" is 02:30 every day, "*/10 * * * * *" every 10 seconds',
    );
    expect(cronProblem("30 2 * * *", "Mars/Base")).toBe(
      '"Mars/Base" is not a time zone; write an IANA name such as Europe/Amsterdam or UTC',
    );
  });
});
