/** /proc as it is: real child processes with real environments. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { envValue, groupLeadersByEnv, readProcText, startTicks } from "./procfs.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid) process.kill(-c.pid, "SIGKILL");
});

/** A detached `sleep` (its own group leader) with `env`; optionally a second one that is not a leader. */
function sleeper(env: Record<string, string>): ChildProcess {
  const c = spawn("sleep", ["30"], {
    env: { PATH: process.env.PATH!, ...env },
    detached: true,
    stdio: "ignore",
  });
  children.push(c);
  return c;
}

describe("procfs", () => {
  it("reads /proc files of any size, larger than its 64 KiB scratch too", () => {
    const big = "x".repeat(100_000); // under Linux's 128 KiB cap on one environment string
    const c = sleeper({ BIG: big, TAG: "t1" });
    expect(envValue(c.pid!, "BIG")).toBe(big);
    expect(envValue(c.pid!, "TAG")).toBe("t1");
    // After the large read, small ones still come out whole and right.
    expect(readProcText(`/proc/${c.pid}/cmdline`)).toBe("sleep\u000030\u0000");
    expect(startTicks(c.pid!)).toMatch(/^\d+$/);
  });

  it("matches a whole variable name only, and says undefined for an unset one or a gone process", () => {
    const c = sleeper({ XVIGIL_TEST_TAG: "no", OTHER: "1" });
    expect(envValue(c.pid!, "VIGIL_TEST_TAG")).toBeUndefined();
    expect(envValue(c.pid!, "XVIGIL_TEST_TAG")).toBe("no");
    expect(envValue(2 ** 22 + 12345, "PATH")).toBeUndefined();
  });

  it("finds group leaders by their tag in one pass, grouped by value", () => {
    const tag = `procfs-test-${process.pid}`;
    const a = sleeper({ VIGIL_TEST_TAG: `${tag}/a` });
    const b1 = sleeper({ VIGIL_TEST_TAG: `${tag}/b` });
    const b2 = sleeper({ VIGIL_TEST_TAG: `${tag}/b` });
    // Not a group leader (it stays in this process's group): never counted as a service's leftover.
    const inGroup = spawn("sleep", ["30"], { env: { VIGIL_TEST_TAG: `${tag}/a` }, stdio: "ignore" });
    try {
      const found = groupLeadersByEnv("VIGIL_TEST_TAG");
      expect(found.get(`${tag}/a`)).toEqual([a.pid]);
      expect([...(found.get(`${tag}/b`) ?? [])].sort()).toEqual([b1.pid, b2.pid].sort());
      expect(found.get(`${tag}/none`)).toBeUndefined();
    } finally {
      inGroup.kill("SIGKILL");
    }
  });
});
