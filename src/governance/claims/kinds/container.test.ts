/**
 * Container claims against the real engine (Podman's Docker API, test/helpers/engine.ts): by the
 * check that reads a container when there is one, else by the engine, else UNVERIFIABLE.
 */
import { describe, expect, it } from "vitest";
import type { TargetView } from "../../../targets/targets.ts";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";
import { testEngine, throwaway, uniqueName } from "../../../../test/helpers/engine.ts";

const verdict = async (claim: string, sources = claimSources()) =>
  (await checkClaim(claim, sources, { timeoutMs: 10_000 })).verdict;

describe("container claims", () => {
  it("asks the engine: running, stopped, and one that is not there", async () => {
    const engine = await testEngine();
    const sources = claimSources({ engine: () => engine });
    const { name, id } = await throwaway();
    expect(await verdict(`container ${name} is running`, sources)).toBe("TRUE");
    expect(await verdict(`the ${name} container is stopped`, sources)).toBe("FALSE");
    await engine.stop(id, 0);
    expect(await verdict(`container ${name} is running`, sources)).toBe("FALSE");
    expect(await verdict(`I stopped the container ${name}`, sources)).toBe("TRUE");
    const missing = await checkClaim(`container ${uniqueName()} is running`, sources, { timeoutMs: 10_000 });
    expect(missing.verdict).toBe("FALSE");
    expect(missing.checks[0]!.observed).toBe("no such container");
    // No health check of its own: healthy is not known.
    const { name: plain } = await throwaway();
    expect(await verdict(`the ${plain} container is healthy`, sources)).toBe("UNVERIFIABLE");
  }, 120_000);

  it("takes a check that reads the container first, and without an engine is UNVERIFIABLE", async () => {
    const web: TargetView = {
      name: "web",
      kind: "check",
      state: "down",
      since: 0,
      restarts: 0,
      last_result: null,
      incident_id: null,
      agent: "web-1",
    };
    const sources = claimSources({ targets: () => [web], readsContainer: (n) => n === "web" });
    expect(await verdict("container web is running", sources)).toBe("FALSE");
    expect(await verdict("container web is stopped", sources)).toBe("TRUE");
    const none = await checkClaim("container cache is running", claimSources(), { timeoutMs: 2_000 });
    expect(none.verdict).toBe("UNVERIFIABLE");
    expect(none.evidence).toContain("no container engine is configured (agent.docker.host)");
  });
});
