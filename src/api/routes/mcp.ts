/**
 * `/mcp`: MCP over streamable HTTP for AI assistants (role agent and above), behind the same Host,
 * Origin and token checks as every route. The SDK (and zod, which it loads) enters the agent only
 * with the first POST: an agent nobody asks over MCP never pays for it (BENCHMARKS.md).
 */
import type { RouteSpec } from "../context.ts";

type McpModule = typeof import("../../mcp/http.ts");
let loading: Promise<McpModule> | undefined;

function mcpModule(): Promise<McpModule> {
  loading ??= import("../../mcp/http.ts").catch((e: unknown) => {
    loading = undefined; // tried again by the next request
    throw e;
  });
  return loading;
}

/** What the SDK's stateless server answers to a GET (no server-initiated stream) or a DELETE (no session). */
const notAllowed = JSON.stringify({
  jsonrpc: "2.0",
  error: { code: -32000, message: "Method not allowed: this server is stateless; send requests with POST" },
  id: null,
});

export const mcpRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/mcp",
    role: "agent",
    handler: async (c, deps) => {
      const body = await c.req.text();
      const { serveMcp } = await mcpModule();
      // Only what the transport reads: no credential is handed to the SDK.
      const headers: Record<string, string | undefined> = {};
      for (const h of ["accept", "content-type", "mcp-protocol-version", "mcp-session-id"])
        headers[h] = c.req.header(h);
      const answer = await serveMcp({ method: "POST", headers, body }, deps, c.principal!);
      return c.body(answer.body === "" ? undefined : answer.body, answer.status, answer.headers);
    },
  },
  ...(["GET", "DELETE"] as const).map((method): RouteSpec => ({
    method,
    path: "/mcp",
    role: "agent",
    handler: (c) => c.body(notAllowed, 405, { "content-type": "application/json", allow: "POST" }),
  })),
];
