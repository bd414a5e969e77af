/** Doctor on container services against the real engine: the container must exist, Vigil never creates one. */
import { describe, expect, it } from "vitest";
import { doctorContext } from "../../test/helpers/doctor.ts";
import { dockerHost, throwaway, uniqueName } from "../../test/helpers/engine.ts";
import { formatFinding } from "./finding.ts";
import { targetTasks } from "./targets.ts";

async function doctor(yaml: string): Promise<string[]> {
  const ctx = doctorContext(yaml);
  const out: string[] = [];
  for (const task of targetTasks(ctx)) out.push(...(await task()).map(formatFinding));
  return out;
}

describe("doctor: container services", () => {
  it("finds the container, running or not, and says how to fix a missing one", async () => {
    const host = await dockerHost();
    const there = await throwaway({ start: false });
    const missing = uniqueName("absent");
    const findings = await doctor(`agent: { docker: { host: "${host}" } }
services:
  worker: { container: { name: ${there.name} } }
  mailer: { container: { name: ${missing} } }
`);
    expect(findings).toEqual([
      `✓ service worker: container ${there.name} exists (created)`,
      `✗ service mailer: no container named "${missing}" — create it first (docker create, compose up): Vigil starts and stops a container, it never creates one; or fix services.mailer.container.name`,
    ]);
  });
});
