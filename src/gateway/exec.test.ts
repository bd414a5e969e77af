import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { baseEnv, execArgv } from "./exec.ts";

describe("execArgv", () => {
  it("runs argv without a shell: operators are literal characters of one argument", async () => {
    const dir = tempDir();
    const canary = path.join(dir, "canary");
    const payload = `x; touch ${canary} && echo $(id) | cat > ${canary}`;
    const r = await execArgv({ argv: ["printf", "%s", payload], env: baseEnv(), timeoutMs: 5_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(payload);
    expect(fs.existsSync(canary)).toBe(false);
  });

  it("gives the child only the environment it is handed", async () => {
    process.env.VIGIL_TEST_LEAK = "leak";
    const r = await execArgv({
      argv: ["env"],
      env: { PATH: process.env.PATH!, ONLY: "1" },
      timeoutMs: 5_000,
    });
    delete process.env.VIGIL_TEST_LEAK;
    expect(r.stdout).toContain("ONLY=1");
    expect(r.stdout).not.toContain("VIGIL_TEST_LEAK");
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, "grandchild.pid");
    const script = `const {spawn}=require("child_process");const c=spawn("sleep",["30"],{stdio:"ignore"});require("fs").writeFileSync(${JSON.stringify(pidFile)},String(c.pid));setInterval(()=>{},1000);`;
    const r = await execArgv({ argv: [process.execPath, "-e", script], env: baseEnv(), timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    const grandchild = Number(fs.readFileSync(pidFile, "utf8"));
    await expect.poll(() => alive(grandchild), { timeout: 5_000 }).toBe(false);
  });

  it("caps output and says so", async () => {
    const r = await execArgv({
      argv: [process.execPath, "-e", "process.stdout.write('a'.repeat(100000))"],
      env: baseEnv(),
      timeoutMs: 5_000,
      maxOutputBytes: 1000,
    });
    expect(r.stdout).toHaveLength(1000);
    expect(r.truncated).toBe(true);
  });

  it("reports a program that cannot start instead of throwing", async () => {
    const r = await execArgv({ argv: ["/nonexistent/program"], env: baseEnv(), timeoutMs: 5_000 });
    expect(r.spawnError).toBe("/nonexistent/program: ENOENT");
    expect(r.exitCode).toBeNull();
  });

  it("stops on abort", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await execArgv({ argv: ["sleep", "30"], env: baseEnv(), timeoutMs: 30_000, signal: ac.signal });
    expect(r.signal).toBe("SIGTERM");
    expect(r.durationMs).toBeLessThan(10_000);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
