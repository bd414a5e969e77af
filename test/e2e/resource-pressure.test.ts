/**
 * Resource pressure on a real, small filesystem: a 1 MiB tmpfs filled past the disk default (85 %)
 * with old log files. The disk check notices, an incident opens as resource_threshold, the cleanup
 * action runs, and success is judged by usage going back under the threshold.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

let mnt = "";
let mounted = false;
beforeAll(() => {
  mnt = fs.mkdtempSync("/tmp/vigil-tmpfs-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt], { stdio: "pipe" });
    mounted = true;
  } catch (e) {
    console.warn(
      `cannot mount a tmpfs here (${(e as Error).message.split("\n")[0]}): the disk-pressure test is skipped`,
    );
  }
});
afterAll(() => {
  if (mounted) execFileSync("umount", [mnt]);
  fs.rmSync(mnt, { recursive: true, force: true });
});

let agent: RunningAgent | undefined;
afterAll(async () => {
  await agent?.stop("SIGKILL");
});

describe("resource pressure", () => {
  it("a disk over 85 % is noticed, cleaned by the cleanup action, and the fix is judged by usage", async (ctx) => {
    if (!mounted) return ctx.skip();
    const logs = path.join(mnt, "logs");
    fs.mkdirSync(logs);
    const old = Date.now() / 1000 - 3600;
    for (let i = 0; i < 9; i++) {
      const f = path.join(logs, `app.${i}.log`);
      fs.writeFileSync(f, Buffer.alloc(100 * 1024, 120));
      fs.utimesSync(f, old, old);
    }
    const used = () => {
      const s = fs.statfsSync(mnt);
      return ((s.blocks - s.bfree) / (s.blocks - s.bfree + s.bavail)) * 100;
    };
    expect(used()).toBeGreaterThan(85);
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
remediation: { cooldown: 200ms, verify_within: 10s }
actions:
  clean-logs: { cleanup: { paths: ["${logs}"], older_than: 10m }, risk: auto }
checks:
  scratch: { disk: { path: "${mnt}" }, every: 500ms, fail_after: 2, remediate: [{ action: clean-logs, when: [resource_threshold] }] }
`,
      { dir: tempDir("vigil-pressure-") },
    );
    const evs = async () =>
      (
        (await (await api(agent!, "/api/audit?limit=1000")).json()) as {
          events: { type: string; ts: number; payload: string | object }[];
        }
      ).events;
    await expect
      .poll(async () => (await evs()).some((e) => e.type === "incident.resolved"), { timeout: 20_000 })
      .toBe(true);
    const all = await evs();
    const opened = all.find((e) => e.type === "incident.opened")!;
    const decided = all.find((e) => e.type === "remediation.decided")!;
    const payload = (e: { payload: string | object }) =>
      (typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload) as Record<string, unknown>;
    expect(payload(opened).failure_class).toBe("resource_threshold");
    expect(payload(decided)).toMatchObject({ action: "clean-logs", executed: true });
    expect(decided.ts - opened.ts).toBeLessThan(120_000);
    const finished = all.find((e) => e.type === "remediation.finished")!;
    expect(payload(finished)).toMatchObject({ action: "clean-logs", outcome: "succeeded" });
    expect(fs.readdirSync(logs)).toEqual([]);
    expect(used()).toBeLessThan(85);
  });
});
