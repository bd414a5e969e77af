/**
 * One `POST /mcp` through the SDK's Web-standard streamable HTTP transport, stateless (no session id)
 * and answering JSON rather than an event stream: every tool answers once, so a fresh server and
 * transport per request is all there is to keep, and both are closed when the answer is read.
 * The router has already checked the Host, the Origin, the token and its role.
 */
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { Principal } from "../api/auth.ts";
import type { ApiDeps } from "../api/context.ts";
import { mcpServer } from "./server.ts";

export interface McpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function serveMcp(
  req: { method: string; headers: Record<string, string | undefined>; body: string },
  deps: ApiDeps,
  by: Principal,
): Promise<McpAnswer> {
  const headers = new Headers();
  for (const [h, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(h, v);
  const request = new Request("http://vigil/mcp", {
    method: req.method,
    headers,
    ...(req.method === "POST" ? { body: req.body } : {}),
  });
  const server = mcpServer(deps, by);
  const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
  await server.connect(transport);
  try {
    const res = await transport.handleRequest(request);
    const out: Record<string, string> = {};
    res.headers.forEach((v, k) => (out[k] = v));
    return { status: res.status, headers: out, body: await res.text() };
  } finally {
    await server.close();
  }
}
