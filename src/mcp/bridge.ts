/**
 * `vigil mcp`: an MCP server on standard input and output that forwards every tool listing and call
 * to the running agent's `/mcp`. The tools, their checks and their audit live in the agent alone;
 * this process holds nothing but the connection. Every forwarded call has a timeout, and an agent
 * that is down, refuses the token or does not answer in time is an MCP error naming the cause and
 * the fix, never a hang.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { Readable, Writable } from "node:stream";
import { instructions } from "./instructions.ts";

export interface BridgeOptions {
  /** The agent's base URL (`http://127.0.0.1:7070`). */
  url: string;
  token: string;
  /** How long one forwarded call may take, in ms. */
  timeoutMs: number;
  version: string;
  stdin?: Readable;
  stdout?: Writable;
}

/** Connects lazily and again after a failure, so an agent started after the bridge is found. */
class Upstream {
  readonly #o: BridgeOptions;
  #client: Promise<Client> | undefined;

  constructor(o: BridgeOptions) {
    this.#o = o;
  }

  async call<T>(what: (c: Client) => Promise<T>): Promise<T> {
    try {
      return await what(await this.#connect());
    } catch (e) {
      throw this.#explain(e);
    }
  }

  #connect(): Promise<Client> {
    this.#client ??= (async () => {
      const client = new Client({ name: "vigil-mcp", version: this.#o.version });
      const transport = new StreamableHTTPClientTransport(new URL("/mcp", this.#o.url), {
        requestInit: { headers: { authorization: `Bearer ${this.#o.token}` } },
      });
      // A dead connection is forgotten, so the next call connects afresh.
      client.onclose = () => (this.#client = undefined);
      await client.connect(transport, { timeout: this.#o.timeoutMs });
      return client;
    })().catch((e: unknown) => {
      this.#client = undefined;
      throw e;
    });
    return this.#client;
  }

  /** Closes the connection to the agent, if there is one. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.then((c) => c.close()).catch(() => undefined);
  }

  /** The failure as an MCP error that says what happened and what to do. */
  #explain(e: unknown): McpError {
    const url = `${this.#o.url}/mcp`;
    if (e instanceof StreamableHTTPError) {
      const reason = /"message":"([^"]*)"/.exec(e.message)?.[1] ?? e.message;
      const fix =
        e.code === 401
          ? "; set VIGIL_TOKEN to a token of auth.tokens"
          : e.code === 403
            ? "; give the assistant a token of role agent (or above)"
            : "";
      return new McpError(
        ErrorCode.InternalError,
        `the Vigil agent at ${url} answered ${e.code}: ${reason}${fix}`,
      );
    }
    if (e instanceof McpError) {
      if (e.code === (ErrorCode.RequestTimeout as number)) {
        return new McpError(
          ErrorCode.RequestTimeout,
          `the Vigil agent at ${url} did not answer within ${this.#o.timeoutMs / 1000}s; is it overloaded or stuck? (vigil mcp --timeout raises the limit)`,
        );
      }
      return e;
    }
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    return new McpError(
      ErrorCode.ConnectionClosed,
      `no Vigil agent answered at ${url} (${cause}); start one with \`vigil up\`, or set VIGIL_URL`,
    );
  }
}

/** Serves until standard input closes; resolves then. */
export async function runBridge(o: BridgeOptions): Promise<void> {
  const upstream = new Upstream(o);
  const timeout = { timeout: o.timeoutMs };
  const server = new Server(
    { name: "vigil", version: o.version },
    { capabilities: { tools: {} }, instructions },
  );
  server.setRequestHandler(ListToolsRequestSchema, (req) =>
    upstream.call((c) => c.listTools(req.params, timeout)),
  );
  server.setRequestHandler(CallToolRequestSchema, (req) =>
    upstream.call((c) => c.callTool(req.params, undefined, timeout)),
  );
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  const stdin = o.stdin ?? process.stdin;
  // The SDK's stdio transport does not notice the end of its input: the client going away ends the bridge.
  stdin.once("end", () => void server.close());
  await server.connect(new StdioServerTransport(stdin, o.stdout ?? process.stdout));
  await closed;
  await upstream.close();
}
