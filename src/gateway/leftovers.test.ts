/** Real process groups: what a killed agent's run leaves, recognised by pid, start time and boot. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { groupMembers, isAlive } from "../core/procfs.ts";
import { bootId, parseProcesses, processRecord, stopLeftovers } from "./leftovers.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      // Gone.
    }
  }
});

/** A group like an action's: a leader and a grandchild in its group; `trap` makes it ignore SIGTERM. */
function group(ignoreTerm = false): ChildProcess {
  const script = `${ignoreTerm ? "trap '' TERM; " : ""}sleep 600 & wait`;
  const c = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  children.push(c);
  return c;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const untilMembers = async (pid: number, n: number) => {
  for (let i = 0; i < 100 && groupMembers(pid).length < n; i++) await sleep(20);
};

describe("leftovers of a killed agent's runs", () => {
  it("stops a recorded group with SIGTERM, grandchildren included", async () => {
    const c = group();
    await untilMembers(c.pid!, 2);
    const r = await stopLeftovers([processRecord(c.pid!)], sleep, 2_000);
    expect(r).toEqual({
      found: `process group ${c.pid} still running (2 processes)`,
      done: "stopped with SIGTERM",
    });
    expect(groupMembers(c.pid!)).toEqual([]);
  });

  it("kills with SIGKILL what ignores SIGTERM, after the grace", async () => {
    const c = group(true);
    await untilMembers(c.pid!, 2);
    const r = await stopLeftovers([processRecord(c.pid!)], sleep, 300);
    expect(r.done).toBe("SIGTERM, then SIGKILL after 0.3 s");
    expect(groupMembers(c.pid!)).toEqual([]);
  });

  it("leaves alone a pid that now names another process, or one of another boot", async () => {
    const c = group();
    await untilMembers(c.pid!, 2);
    const recycled = { ...processRecord(c.pid!), ticks: "1" };
    const otherBoot = { ...processRecord(c.pid!), boot: "another-boot" };
    const r = await stopLeftovers([recycled, otherBoot], sleep, 300);
    expect(r).toEqual({
      found: `its processes (pid ${c.pid}, ${c.pid}) had already ended`,
      done: "nothing to stop",
    });
    expect(isAlive(c.pid!)).toBe(true);
  });

  it("says when nothing was recorded, and reads only well-formed records", async () => {
    expect(await stopLeftovers([], sleep, 100)).toEqual({
      found: "no process recorded",
      done: "nothing to stop",
    });
    expect(parseProcesses("not json")).toEqual([]);
    expect(parseProcesses(JSON.stringify([{ pid: 1, ticks: "5", boot: bootId() }, { pid: "x" }]))).toEqual(
      [],
    );
    const ok = { pid: 4242, ticks: "77", boot: "b" };
    expect(parseProcesses(JSON.stringify([ok]))).toEqual([ok]);
  });
});
