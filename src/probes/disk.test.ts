/** The disk probe on a real filesystem. */
import { describe, expect, it } from "vitest";
import { runProbe as run } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";

describe("disk", () => {
  it("reads the disk a path is on, and names a path that does not exist", async () => {
    const { outcome } = await run("disk", { path: tempDir() });
    expect(outcome.values.USED_PERCENT).toBeGreaterThan(0);
    expect(outcome.values.USED_PERCENT).toBeLessThanOrEqual(100);
    expect(outcome.values.FREE_BYTES).toBeGreaterThan(0);
    const missing = await run("disk", { path: "/nonexistent/vigil" });
    expect(missing.outcome.error?.message).toMatch(/cannot stat \/nonexistent\/vigil/);
  });
});
