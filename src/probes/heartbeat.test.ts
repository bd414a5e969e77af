/** The heartbeat probe: missed until a push arrives within its window. */
import { describe, expect, it } from "vitest";
import { heartbeats, runProbe as run } from "../../test/helpers/probe.ts";

describe("heartbeat", () => {
  it("is missed when nothing arrived within the window, and fine after a push", async () => {
    heartbeats.delete("t");
    const missed = await run("heartbeat", { within: "30s" });
    expect(missed.outcome.error?.class).toBe("heartbeat_missed");
    expect(missed.outcome.error?.message).toMatch(/no heartbeat yet; expected one within 30s/);
    heartbeats.set("t", Date.now() - 1_000);
    const ok = await run("heartbeat", { within: "30s" });
    expect(ok.outcome.error).toBeUndefined();
    expect(ok.outcome.values.LAST_SEEN).toBeGreaterThanOrEqual(1_000);
  });
});
