/** disk and memory claims against this machine's own statfs and /proc/meminfo. */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";

const check = (claim: string) => checkClaim(claim, claimSources(), { timeoutMs: 2_000 });

function diskUsedPercent(p: string): number {
  const s = fs.statfsSync(p);
  const used = (s.blocks - s.bfree) * s.bsize;
  return (used / (used + s.bavail * s.bsize)) * 100;
}

function memoryUsedPercent(): number {
  const kb = (k: string) =>
    Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(fs.readFileSync("/proc/meminfo", "utf8"))![1]);
  return ((kb("MemTotal") - kb("MemAvailable")) / kb("MemTotal")) * 100;
}

describe("disk claims", () => {
  it("compares the used share of the path's filesystem, as df does", async () => {
    const used = diskUsedPercent("/");
    const above = Math.min(100, Math.ceil(used + 1));
    const below = Math.max(0, Math.floor(used - 1));
    expect((await check(`Disk usage of / is below ${above}%`)).verdict).toBe("TRUE");
    expect((await check(`disk usage is under ${below} percent`)).verdict).toBe(
      used > below ? "FALSE" : "TRUE",
    );
    expect(
      (await check(`the disk usage on /tmp is above ${Math.floor(diskUsedPercent("/tmp")) - 1}%`)).verdict,
    ).toBe("TRUE");
    const v = await check(`Disk usage of / is below ${above}%`);
    expect(v.checks[0]!.observed).toMatch(/^\d+(\.\d+)?% used, .* free/);
  });

  it("reads free space with units, and a path that does not exist is UNVERIFIABLE", async () => {
    expect((await check("/ has more than 1 byte free")).verdict).toBe("TRUE");
    expect((await check("/ has less than 1 KB free")).verdict).toBe("FALSE");
    expect((await check("disk usage of /surely/not/here is below 90%")).verdict).toBe("UNVERIFIABLE");
    expect((await check("disk usage is below 120%")).verdict).toBe("UNVERIFIABLE");
  });

  it("reads the share said first: 'less than 80% of / is used'", async () => {
    const used = diskUsedPercent("/");
    const above = Math.min(100, Math.ceil(used + 1));
    const below = Math.max(0, Math.floor(used - 1));
    expect((await check(`Less than ${above}% of / is used`)).verdict).toBe("TRUE");
    expect((await check(`less than ${above}% of the disk on / is used`)).verdict).toBe("TRUE");
    expect((await check(`Less than ${below}% of / is used`)).verdict).toBe(used > below ? "FALSE" : "TRUE");
    expect((await check(`more than ${above}% of / is full`)).verdict).toBe("FALSE");
  });
});

describe("memory claims", () => {
  it("compares the used share of memory (MemTotal - MemAvailable)", async () => {
    const used = memoryUsedPercent();
    expect((await check(`memory use is under ${Math.min(100, Math.ceil(used + 5))}%`)).verdict).toBe("TRUE");
    expect((await check(`RAM usage is below ${Math.max(0, Math.floor(used - 5))} percent`)).verdict).toBe(
      "FALSE",
    );
    expect((await check(`memory usage is above ${Math.max(0, Math.floor(used - 5))}%`)).verdict).toBe("TRUE");
  });

  it("reads the share said first: 'less than 2% of memory is used'", async () => {
    const used = memoryUsedPercent();
    const high = Math.min(100, Math.ceil(used + 5));
    const low = Math.max(0, Math.floor(used - 5));
    expect((await check(`Less than ${high}% of memory is used`)).verdict).toBe("TRUE");
    expect((await check(`Less than ${low}% of the RAM is in use`)).verdict).toBe("FALSE");
    expect((await check(`more than ${low}% of memory is used`)).verdict).toBe("TRUE");
    expect((await check("less than 150% of memory is used")).verdict).toBe("UNVERIFIABLE");
  });
});
