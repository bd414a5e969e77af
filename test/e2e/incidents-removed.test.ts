/**
 * A check taken out of the config while the agent was stopped: the real agent, restarted on the same
 * data dir without it, closes its open (escalated) incident as a reload would, rather than leave it
 * open, escalated and reminded of forever for a target nothing checks any more.
 */
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { events, of } from "../helpers/remediation.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Incident {
  target: string;
  status: string;
}

let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.stop("SIGKILL");
  agent = undefined;
});

const config = (checks: string) => `agent: { listen: "127.0.0.1:0" }
checks:
${checks}`;
const kept = `  kept: { command: { run: ["false"] }, every: 200ms, fail_after: 1 }\n`;
const gone = `  gone: { command: { run: ["false"] }, every: 200ms, fail_after: 1 }\n`;

describe("an incident of a check no longer in the config", () => {
  it("closes at the next start, saying why; one still configured stays open", async () => {
    const dir = tempDir("vigil-removed-");
    agent = await startAgent(config(kept + gone), { dir });
    await expect
      .poll(
        async () =>
          of(await events(agent!), "incident.escalated")
            .map((e) => e.subject)
            .sort(),
        {
          timeout: 15_000,
        },
      )
      .toEqual(["gone", "kept"]);
    expect((await agent.stop()).code).toBe(0);

    agent = await startAgent(config(kept), { dir });
    const incidents = async () =>
      ((await (await api(agent!, "/api/incidents")).json()) as { incidents: Incident[] }).incidents
        .map((i) => `${i.target} ${i.status}`)
        .sort();
    await expect.poll(incidents, { timeout: 15_000 }).toEqual(["gone resolved", "kept open"]);
    const [closed] = of(await events(agent), "incident.resolved", "gone");
    expect(closed!.payload.detail).toBe("gone is no longer in the config");
    // Closed once, and nothing escalates it again.
    expect(of(await events(agent), "incident.escalated", "gone")).toHaveLength(1);
  }, 60_000);
});
