/**
 * `vigil up` validates its config in a child process and never loads zod itself (~6 MB of RSS, see
 * BENCHMARKS.md). A module hook records every module each process resolves, so the test sees both
 * sides: the daemon without zod, the loader child with it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { moduleLog } from "../helpers/module-log.ts";
import { tempDir } from "../helpers/tmp.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  expect(await stopCleanly(agent)).toEqual([]);
  agent = undefined;
});

describe("the config is loaded in a child process", () => {
  it("the daemon never loads zod or commander; the loader child loads zod, once per start and reload", async () => {
    const dir = tempDir("vigil-isolation-");
    const modules = moduleLog(dir);
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", data_dir: ./data }
checks:
  self: { tcp: { port: 1 }, every: 10s }
`,
      { dir, env: modules.env },
    );
    const res = await api(agent, "/api/reload", { method: "POST" });
    expect(res.status).toBe(200);

    const by = modules.byPid();
    const daemon = by.get(agent.proc.pid!);
    expect(daemon?.some((u) => u.includes("/app/app."))).toBe(true);
    expect(daemon?.filter((u) => u.includes("/node_modules/zod/"))).toEqual([]);
    // A plain `vigil up` skips the CLI parser too (src/main.ts).
    expect(daemon?.filter((u) => u.includes("/node_modules/commander/"))).toEqual([]);
    const loaders = [...by].filter(
      ([pid, urls]) => pid !== agent!.proc.pid && urls.some((u) => u.includes("/config/load-child.")),
    );
    expect(loaders.length).toBe(2); // the start and the reload
    for (const [, urls] of loaders) expect(urls.some((u) => u.includes("/node_modules/zod/"))).toBe(true);
  });
});
