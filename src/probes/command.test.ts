/** The command probe with real programs, run without a shell. */
import { describe, expect, it } from "vitest";
import { runProbe as run } from "../../test/helpers/probe.ts";

describe("command", () => {
  it("reads the exit code and output of a real program run without a shell", async () => {
    const { outcome } = await run("command", {
      run: [process.execPath, "-e", "process.stdout.write('ready; $(id)'); process.exit(3)"],
    });
    expect(outcome.values).toMatchObject({ EXIT_CODE: 3, STDOUT: "ready; $(id)" });
    expect(outcome.error).toBeUndefined();
  });

  it("a program that hangs is killed at the timeout", async () => {
    const { outcome, ms } = await run("command", { run: ["sleep", "30"] }, { timeoutMs: 200 });
    expect(outcome.error?.class).toBe("timeout");
    expect(ms).toBeLessThan(2_000);
  });

  it("a program that does not exist is an error, not a throw", async () => {
    const { outcome } = await run("command", { run: ["/nonexistent/program"] });
    expect(outcome.error?.message).toMatch(/cannot run/);
  });
});
