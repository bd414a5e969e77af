/**
 * The MCP server: the official SDK's low-level `Server`, listing `tools.ts` and calling them as the
 * caller. One is built per request (stateless), for one principal, so nothing of one caller can
 * reach another's call. The tools' schemas are plain JSON Schema checked by the API's own field
 * rules, not zod shapes: the daemon's code never imports zod (eslint), only the SDK does, once
 * `/mcp` is first asked.
 *
 * Owns: the MCP side of /mcp (http.ts) and of `vigil mcp` (bridge.ts). Must not import: app, store,
 * gateway internals: it reaches the agent only through the API's `ApiDeps`.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { VigilError, isVigilError } from "../core/errors.ts";
import type { Principal } from "../api/auth.ts";
import type { ApiDeps } from "../api/context.ts";
import { instructions } from "./instructions.ts";
import { tools, type Tool } from "./tools.ts";

/**
 * Whoever the token is, an assistant acts as role `agent`: an operator who hands an assistant their
 * own token does not let it run auto-tier actions without a person (the gateway holds every
 * `agent` request for approval unless the action says `agent_auto`).
 */
export function asAssistant(by: Principal): Principal {
  return { name: by.name, role: "agent" };
}

/** The SDK server for one caller. */
export function mcpServer(deps: ApiDeps, caller: Principal): Server {
  const by = asAssistant(caller);
  const server = new Server(
    { name: "vigil", version: deps.mcp.version },
    { capabilities: { tools: { listChanged: false } }, instructions },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      annotations: { readOnlyHint: t.readOnly, destructiveHint: !t.readOnly, openWorldHint: false },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const t = tools.find((x) => x.name === req.params.name);
    if (!t) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `no tool named "${req.params.name.slice(0, 60)}"; the tools are ${tools.map((x) => x.name).join(", ")}`,
      );
    }
    return callTool(t, req.params.arguments, deps, by);
  });
  return server;
}

/**
 * Runs one tool and records the call (`mcp.called`, the token's name as actor). A refusal or failure
 * is the tool's answer with `isError`, as MCP asks, so the assistant reads the code and the fix.
 */
export async function callTool(
  t: Tool,
  input: unknown,
  deps: ApiDeps,
  by: Principal,
): Promise<CallToolResult> {
  const started = performance.now();
  let answer: CallToolResult;
  let subject = t.name;
  let error: string | null = null;
  try {
    const call = t.run(input, deps, by);
    subject = call.subject;
    const result = await call.result;
    answer = {
      content: [{ type: "text", text: JSON.stringify(result, null, 2) }],
      structuredContent: result,
    };
  } catch (e) {
    const err = isVigilError(e)
      ? e
      : new VigilError("INTERNAL", "internal error; the agent logged the details");
    if (!isVigilError(e)) deps.log.error({ err: e, tool: t.name }, "MCP tool failed");
    error = err.code;
    answer = {
      isError: true,
      content: [{ type: "text", text: `${err.code}: ${deps.mcp.redact(err.message)}` }],
    };
  }
  try {
    await deps.mcp.called(by, subject.slice(0, 200), {
      tool: t.name,
      ok: error === null,
      error,
      duration_ms: Math.round(performance.now() - started),
    });
  } catch (e) {
    // The answer stands (an approval may already be queued); the failure to record it is logged.
    deps.log.error({ err: e, tool: t.name }, "MCP call not audited");
  }
  return answer;
}
