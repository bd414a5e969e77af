/** The memory probe: the host's /proc/meminfo, and a process group's own RSS and CPU. */
import { describe, expect, it } from "vitest";
import { runProbe as run } from "../../test/helpers/probe.ts";

describe("memory", () => {
  it("reads host memory, and a service's own RSS and CPU", async () => {
    const host = await run("memory", {});
    expect(host.outcome.values.USED_PERCENT).toBeGreaterThan(0);
    expect(host.outcome.values.TOTAL_BYTES).toBeGreaterThan(0);
    const self = await run("memory", { service: "self" });
    expect(self.outcome.values.RSS_MB).toBeGreaterThan(10);
    expect(self.outcome.values.CPU_PERCENT).toBeGreaterThanOrEqual(0);
    const gone = await run("memory", { service: "stopped-one" });
    expect(gone.outcome.error?.class).toBe("process_exited");
  });
});
