/**
 * The MCP SDK, and the zod it loads, stay out of the daemon until the first `POST /mcp`: an agent
 * nobody asks over MCP never pays the memory for it. A module hook records what the daemon resolves,
 * as test/e2e/config-isolation.test.ts does.
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

const sdk = (urls: string[]) => urls.filter((u) => u.includes("/node_modules/@modelcontextprotocol/"));
const zod = (urls: string[]) => urls.filter((u) => u.includes("/node_modules/zod/"));

describe("the MCP SDK is loaded on first use", () => {
  it("not at start nor for other routes; with the first POST /mcp", async () => {
    const dir = tempDir("vigil-mcp-lazy-");
    const modules = moduleLog(dir);
    agent = await startAgent(`agent: { listen: "127.0.0.1:0", data_dir: ./data }\n`, {
      dir,
      env: modules.env,
    });
    expect((await api(agent, "/api/targets")).status).toBe(200);
    // GET /mcp is answered without the SDK too.
    expect((await api(agent, "/mcp")).status).toBe(405);
    const before = modules.byPid().get(agent.proc.pid!) ?? [];
    expect(before.some((u) => u.includes("/app/app."))).toBe(true);
    expect(sdk(before)).toEqual([]);
    expect(zod(before)).toEqual([]);

    const res = await api(agent, "/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(200);
    const { result } = (await res.json()) as { result: { tools: { name: string }[] } };
    expect(result.tools.map((t) => t.name)).toContain("propose_action");
    const after = modules.byPid().get(agent.proc.pid!) ?? [];
    expect(sdk(after).length).toBeGreaterThan(0);
  });
});
