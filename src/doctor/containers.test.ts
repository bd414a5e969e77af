/** Doctor on container and compose checks against the real engine: members judged one by one, the engine's socket named. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { doctorContext } from "../../test/helpers/doctor.ts";
import { dockerHost, throwaway, uniqueName } from "../../test/helpers/engine.ts";
import { until } from "../../test/helpers/poll.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { targetPlans } from "../app/specs.ts";
import { projectLabel, serviceLabel } from "../probes/compose.ts";
import { formatFinding } from "./finding.ts";
import { tryCheck } from "./targets.ts";

async function doctor(yaml: string): Promise<string[]> {
  const ctx = doctorContext(yaml);
  const out: string[] = [];
  for (const p of targetPlans(ctx.config)) {
    if (p.check)
      out.push(...(await tryCheck(`check ${p.name}`, p.check, `checks.${p.name}`, ctx)).map(formatFinding));
  }
  return out;
}

describe("doctor: container and compose checks", () => {
  it("judges each member of a project and names the failing ones", async () => {
    const host = await dockerHost();
    const project = uniqueName("proj");
    const labels = (service: string) => ({
      [projectLabel]: project,
      [serviceLabel]: service,
    });
    await throwaway({ name: uniqueName("api"), Labels: labels("api") });
    const bot = await throwaway({
      name: uniqueName("bot"),
      Labels: labels("bot"),
      Cmd: ["sh", "-c", "exit 1"],
    });
    await until("bot exited", async () => ((await bot.engine.inspect(bot.id)).running ? undefined : true));
    const findings = await doctor(`agent: { docker: { host: "${host}" } }
checks:
  prd: { compose: { project: ${project} } }
`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(
      /^✗ check prd: prd\/bot: \[RUNNING\] \(false\) == true — fix what it watches/,
    );
    expect(findings[0]).not.toContain("prd/api");
  });

  it("says how to reach the engine when its socket does not answer", async () => {
    const sock = path.join(tempDir(), "docker.sock");
    const findings = await doctor(`agent: { docker: { host: "unix://${sock}" } }
checks:
  api: { container: { name: api } }
`);
    expect(findings).toEqual([
      `✗ check api: cannot reach the container engine at ${sock}: no such socket — start the container engine (Docker, or \`podman system service\`), or point agent.docker.host at its socket; the agent's user must be allowed to open it`,
    ]);
  });
});
