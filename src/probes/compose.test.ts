/** The compose probe against the real engine: a labelled group read as members, scaled services, none, the engine gone. */
import { describe, expect, it } from "vitest";
import { loadConfigText } from "../config/load.ts";
import { formatProblem } from "../config/result.ts";
import { Engine } from "../containers/engine.ts";
import { engineProxy, throwaway, uniqueName } from "../../test/helpers/engine.ts";
import { contextOn, runProbe } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import compose, { numberLabel, projectLabel, serviceLabel } from "./compose.ts";

/** A container of `project` as Compose labels it. */
function member(project: string, service: string, opts: { n?: number; start?: boolean } = {}) {
  return throwaway({
    name: uniqueName(`${project}-${service}`),
    start: opts.start ?? true,
    Labels: {
      [projectLabel]: project,
      [serviceLabel]: service,
      [numberLabel]: String(opts.n ?? 1),
    },
  });
}

describe("compose", () => {
  it("reads every container of the project as a member, a stopped one not running", async () => {
    const project = uniqueName("proj");
    await member(project, "api");
    await member(project, "db");
    const bot = await member(project, "bot");
    await member(`${project}-other`, "api"); // another project, not a member
    await bot.engine.stop(bot.id, 0);

    const { outcome } = await runProbe("compose", { project }, { timeoutMs: 15_000 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toEqual({ CONTAINERS: 3 });
    const byName = new Map(outcome.members!.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(["api", "bot", "db"]);
    expect(byName.get("api")!.values).toMatchObject({ RUNNING: true, STATUS: "running", HEALTH: "none" });
    expect(byName.get("bot")!.values).toMatchObject({ RUNNING: false, STATUS: "exited" });
  });

  it("names the containers of a scaled service by number", async () => {
    const project = uniqueName("proj");
    await member(project, "worker", { n: 1 });
    await member(project, "worker", { n: 2 });
    await member(project, "api");
    const { outcome } = await runProbe("compose", { project }, { timeoutMs: 15_000 });
    expect(outcome.members!.map((m) => m.name).sort()).toEqual(["api", "worker-1", "worker-2"]);
  });

  it("is down with no members when no container carries the project's label", async () => {
    await throwaway(); // the engine has containers, none of this project
    const project = uniqueName("none");
    const { outcome } = await runProbe("compose", { project }, { timeoutMs: 15_000 });
    expect(outcome.error?.class).toBe("container_missing");
    expect(outcome.error?.message).toContain(`no container is labelled ${projectLabel}=${project}`);
    expect(outcome.members).toEqual([]);
  });

  it("cannot check when the engine goes away: an error naming the socket and no members", async () => {
    const project = uniqueName("proj");
    await member(project, "api");
    const proxy = await engineProxy(tempDir());
    const engine = new Engine(proxy.socket);
    const run = () => compose.run({ project }, contextOn(engine, "prd"));
    try {
      expect((await run()).members?.map((m) => m.name)).toEqual(["api"]);
      await proxy.close();
      const gone = await run();
      expect(gone.error?.class).toBe("engine_unreachable");
      expect(gone.error?.message).toContain(proxy.socket);
      expect(gone.members).toBeUndefined();
    } finally {
      engine.close();
    }
  });

  it("is a check of its own: as a service's health it is refused, saying where it goes", () => {
    const ok = loadConfigText("checks:\n  prd: { compose: { project: wingman-prd } }\n", "/v.yaml", {});
    expect(ok.ok).toBe(true);
    const bad = loadConfigText(
      "services:\n  api:\n    command: [node, s.js]\n    health: { compose: { project: wingman-prd } }\n",
      "/v.yaml",
      {},
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map(formatProblem)).toContainEqual(
        expect.stringMatching(
          /services\.api\.health\.compose: a compose check watches a group.*write it under checks:/,
        ),
      );
    const upper = loadConfigText("checks:\n  prd: { compose: { project: Wingman } }\n", "/v.yaml", {});
    expect(upper.ok).toBe(false);
  });
});
