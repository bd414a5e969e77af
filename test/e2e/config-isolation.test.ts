/**
 * `vigil up` validates its config in a child process and never loads zod itself (~6 MB of RSS, see
 * BENCHMARKS.md). A module hook records every module each process resolves, so the test sees both
 * sides: the daemon without zod, the loader child with it.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  expect(await stopCleanly(agent)).toEqual([]);
  agent = undefined;
});

const hook = `import { registerHooks } from "node:module";
import fs from "node:fs";
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    fs.appendFileSync(process.env.MODULE_LOG, process.pid + " " + r.url + "\\n");
    return r;
  },
});
`;

function modulesByPid(log: string): Map<number, string[]> {
  const by = new Map<number, string[]>();
  for (const line of fs.readFileSync(log, "utf8").trim().split("\n")) {
    const [pid, url] = line.split(" ");
    by.set(Number(pid), [...(by.get(Number(pid)) ?? []), url!]);
  }
  return by;
}

describe("the config is loaded in a child process", () => {
  it("the daemon never loads zod or commander; the loader child loads zod, once per start and reload", async () => {
    const dir = tempDir("vigil-isolation-");
    const hookFile = path.join(dir, "hook.mjs");
    fs.writeFileSync(hookFile, hook);
    const log = path.join(dir, "modules.log");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", data_dir: ./data }
checks:
  self: { tcp: { port: 1 }, every: 10s }
`,
      { dir, env: { NODE_OPTIONS: `--import ${pathToFileURL(hookFile).href}`, MODULE_LOG: log } },
    );
    const res = await api(agent, "/api/reload", { method: "POST" });
    expect(res.status).toBe(200);

    const by = modulesByPid(log);
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
