/**
 * MCP against the real daemon: the SDK's own client over HTTP (`/mcp`) and over stdio (`vigil mcp`
 * as a child process), and the MCP Inspector's CLI as a client nobody here wrote. An assistant lists
 * the tools (no approve among them), proposes an approve-tier action and sees it wait, an operator
 * approves it through the HTTP API, and the assistant reads the result; everything it did is in the
 * audit log under its token's name.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";

const root = path.resolve(import.meta.dirname, "../..");
const vigil = path.join(root, "bin/vigil.js");
const inspector = path.join(root, "node_modules/@modelcontextprotocol/inspector-cli/build/cli.js");

const agentToken = "claude-token-0123456789";
const operatorToken = "olga-token-0123456789";
const viewerToken = "vera-token-0123456789";
const secret = "sup3r-s3cret-api-key-value";

const toolNames = [
  "check_instruction",
  "get_action_result",
  "get_incident",
  "get_logs",
  "get_status",
  "list_actions",
  "list_incidents",
  "propose_action",
  "verify_claim",
];

interface RunJson {
  id: string;
  action: string;
  status: string;
  requested_by: string;
  finished_at: number | null;
  result: { stdout: string };
}

/** A tool's JSON answer, every field any tool here gives; the assertions check which are there. */
interface Answer {
  ok?: boolean;
  verdict?: string;
  outcome?: string;
  status?: string;
  approval_id?: string;
  next?: string;
  run?: RunJson | null;
  approval?: { status: string };
  agent?: { paused: boolean };
  targets?: { name: string }[];
  target?: { name: string };
  incidents?: unknown[];
  lines?: string[];
}

/** What the Inspector's CLI prints: a tool list, or a call's result. */
interface Inspected {
  tools?: { name: string }[];
  isError?: boolean;
  content?: { text: string }[];
  structuredContent?: Answer;
}

let agent: RunningAgent;
const clients: Client[] = [];
// The agent's folder lives for the whole file (tempDir's are removed after each test).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-mcp-"));

beforeAll(async () => {
  const node = JSON.stringify(process.execPath);
  agent = await startAgent(
    `agent: { listen: "127.0.0.1:0", data_dir: ./data }
auth:
  tokens:
    - { name: claude, role: agent, token: "${agentToken}" }
    - { name: olga, role: operator, token: "${operatorToken}" }
    - { name: vera, role: viewer, token: "${viewerToken}" }
services:
  app:
    command: [${node}, "-e", "console.log('starting with key ' + process.env.APP_API_KEY); console.log('ready'); setInterval(() => {}, 1e6)"]
    env: { APP_API_KEY: "${secret}" }
actions:
  reindex: { run: [${node}, "-e", "console.log('reindexed ' + process.argv[1])", "{table}"],
             params: { table: { enum: [users, jobs] } }, risk: approve }
  tidy:    { run: [${node}, "-e", "console.log('tidied')"], risk: auto }
  ping:    { run: [${node}, "-e", "console.log('pong')"], risk: auto, agent_auto: true }
`,
    { dir },
  );
  await until("the app's log", async () => {
    const res = await api(agent, "/api/targets/app/logs?n=10");
    const { lines } = (await res.json()) as { lines: string[] };
    return lines.some((l) => l.includes("ready")) ? true : undefined;
  });
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await agent?.stop("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
});

async function overHttp(token: string): Promise<Client> {
  const client = new Client({ name: "vigil-test", version: "1" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${agent.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  clients.push(client);
  return client;
}

async function overStdio(env: Record<string, string>, args: string[] = []): Promise<Client> {
  const client = new Client({ name: "vigil-test", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [vigil, "mcp", ...args],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stderr: "pipe",
    }),
  );
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = r.content.map((c) => (c.type === "text" ? c.text : "")).join("");
  return {
    error: r.isError === true,
    text,
    json: r.isError ? undefined : (JSON.parse(text) as Answer),
  };
}

/** Proposes reindex, approves it as the operator over HTTP, and reads the run through the same client. */
async function proposeApproveRead(client: Client) {
  const proposed = await call(client, "propose_action", {
    action: "reindex",
    params: { table: "users" },
    reason: "the users index is stale",
  });
  expect(proposed.error).toBe(false);
  expect(proposed.json).toMatchObject({ outcome: "waiting_for_approval", status: "pending", required: 1 });
  const approvalId = proposed.json!.approval_id as string;
  expect(proposed.json!.next).toContain(approvalId);

  const waiting = await call(client, "get_action_result", { approval_id: approvalId });
  expect(waiting.json).toMatchObject({ approval: { status: "pending", requested_by: "claude" }, run: null });

  const decided = await api(
    { url: agent.url, token: operatorToken },
    `/api/approvals/${approvalId}/approve`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ note: "go" }),
    },
  );
  expect(decided.status).toBe(200);

  const done = await until("the approved run's result", async () => {
    const r = await call(client, "get_action_result", { approval_id: approvalId });
    return r.json?.run?.finished_at ? r.json : undefined;
  });
  expect(done.approval).toMatchObject({
    status: "approved",
    decisions: [{ by: "olga", decision: "approve" }],
  });
  expect(done.run).toMatchObject({ action: "reindex", status: "succeeded", requested_by: "claude" });
  expect(done.run!.result.stdout).toContain("reindexed users");
  const byRun = await call(client, "get_action_result", { run_id: done.run!.id });
  expect(byRun.json!.run!.id).toBe(done.run!.id);
  return approvalId;
}

describe("/mcp over streamable HTTP, with the SDK's client", () => {
  it("lists exactly the assistant's tools: nothing approves, pauses, silences or configures", async () => {
    const client = await overHttp(agentToken);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(toolNames);
    for (const t of tools) {
      expect(t.inputSchema.additionalProperties, t.name).toBe(false);
      for (const [arg, schema] of Object.entries(t.inputSchema.properties ?? {})) {
        if ((schema as { type?: string }).type === "string")
          expect((schema as { maxLength?: number }).maxLength, `${t.name}.${arg}`).toBeGreaterThan(0);
        // Nothing names who asks or claims a decision: the requester is the token's name.
        expect(arg, t.name).not.toMatch(/approved|approver|requested|requester|^by$|role|decision/);
      }
    }
    const propose = tools.find((t) => t.name === "propose_action")!;
    expect(Object.keys(propose.inputSchema.properties ?? {}).sort()).toEqual([
      "action",
      "dry_run",
      "params",
      "reason",
      "target",
    ]);
    expect(client.getServerVersion()?.name).toBe("vigil");
  });

  it("proposes an approve-tier action: it waits; an operator approves over the API; the result is read", async () => {
    await proposeApproveRead(await overHttp(agentToken));
  });

  it("an agent token's request waits even for an auto action, unless the action says agent_auto", async () => {
    const client = await overHttp(agentToken);
    const tidy = await call(client, "propose_action", { action: "tidy", reason: "disk" });
    expect(tidy.json).toMatchObject({ outcome: "waiting_for_approval" });
    const ping = await call(client, "propose_action", { action: "ping", reason: "is it alive" });
    expect(ping.json).toMatchObject({ outcome: "ran", status: "succeeded" });
    expect(ping.json!.run!.result.stdout).toContain("pong");
  });

  it("an operator's token over MCP is an assistant's: its auto-tier request waits too", async () => {
    const client = await overHttp(operatorToken);
    const tidy = await call(client, "propose_action", { action: "tidy", reason: "disk" });
    expect(tidy.json).toMatchObject({ outcome: "waiting_for_approval" });
  });

  it("refuses a viewer's token (403) and no token (401)", async () => {
    await expect(overHttp(viewerToken)).rejects.toThrow(
      /FORBIDDEN.*POST \/mcp needs role agent; vera is viewer/,
    );
    await expect(overHttp("not-a-token-at-all-1234")).rejects.toThrow(
      /UNAUTHENTICATED.*the bearer token is not known/,
    );
  });

  it("reads status, incidents and logs; the logs with the configured secret redacted", async () => {
    const client = await overHttp(agentToken);
    const status = await call(client, "get_status");
    expect(status.json!.agent).toMatchObject({ paused: false });
    expect(status.json!.targets!.map((t) => t.name)).toContain("app");
    expect((await call(client, "get_status", { target: "app" })).json!.target!.name).toBe("app");
    expect((await call(client, "list_incidents", { status: "all" })).json!.incidents).toEqual([]);

    const logs = await call(client, "get_logs", { service: "app", lines: 50 });
    expect(logs.json!.lines).toContain("starting with key [REDACTED]");
    expect(logs.text).not.toContain(secret);
    // The operator's route shows the raw line: the MCP tool is what redacts it.
    const raw = (await (await api(agent, "/api/targets/app/logs?n=50")).json()) as { lines: string[] };
    expect(raw.lines.join("\n")).toContain(secret);
  });

  it("verifies claims through the agent's claim engine, audited with the token's name", async () => {
    const client = await overHttp(agentToken);
    const port = new URL(agent.url).port;
    const held = await call(client, "verify_claim", { claim: `Port ${port} is listening` });
    expect(held.json).toMatchObject({ verdict: "TRUE", claim: `Port ${port} is listening` });
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const free = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const lie = await call(client, "verify_claim", {
      claim: `I've started app and it's listening on port ${free}`,
    });
    // app runs (a service of this config); nothing listens on the port: the claim is a lie.
    expect(lie.json).toMatchObject({ verdict: "FALSE" });
    const checks = (lie.json as unknown as { checks: { what: string; ok: boolean }[] }).checks;
    expect(checks.filter((c) => !c.ok).map((c) => c.what)).toEqual([expect.stringContaining(String(free))]);
    const vague = await call(client, "verify_claim", { claim: "all the tests pass" });
    expect(vague.json).toMatchObject({ verdict: "UNVERIFIABLE" });
    const res = await api(agent, "/api/audit?tail=50");
    const { events } = (await res.json()) as { events: { type: string; actor: string }[] };
    expect(
      events.filter((e) => e.type === "claim.verified" && e.actor === "claude").length,
    ).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.type === "claim.false" && e.actor === "claude")).toBe(true);
  });

  it("checks a work order through the agent's instruction check, audited with the token's name", async () => {
    const client = await overHttp(agentToken);
    const sections = [
      "DELIVERABLES",
      "SUCCESS_CRITERIA",
      "BOUNDARIES",
      "DEPENDENCIES",
      "MITIGATION",
      "TEST_PROCESS",
      "TEST_RESULTS_FORMAT",
      "RESOURCE_REQUIREMENTS",
      "RISK_ASSESSMENT",
      "QUALITY_METRICS",
    ];
    const whole = sections.map((s) => `## ${s}\nsomething for ${s}\n`).join("\n");
    const ready = await call(client, "check_instruction", { instruction: whole });
    expect(ready.json).toMatchObject({ ok: true, missing: [], empty: [] });
    const lacking = await call(client, "check_instruction", {
      instruction: whole.replace("## MITIGATION\nsomething for MITIGATION\n", "## MITIGATION\n"),
    });
    expect(lacking.json).toMatchObject({ ok: false, missing: [], empty: ["MITIGATION"] });
    const res = await api(agent, "/api/audit?tail=20");
    const { events } = (await res.json()) as { events: { type: string; actor: string }[] };
    expect(events.filter((e) => e.type === "instruction.checked" && e.actor === "claude")).toHaveLength(2);
  });

  it("refuses bad arguments as a tool error naming the field and the fix", async () => {
    const client = await overHttp(agentToken);
    const many = await call(client, "get_logs", { service: "app", lines: 10_000 });
    expect(many).toMatchObject({ error: true });
    expect(many.text).toBe("VALIDATION_FAILED: get_logs: lines: a whole number from 1 to 500");
    const claimed = await call(client, "propose_action", {
      action: "reindex",
      reason: "x",
      approved_by: "olga",
    });
    expect(claimed.text).toMatch(
      /^VALIDATION_FAILED: propose_action: arguments: unknown field "approved_by"/,
    );
    const missing = await call(client, "get_incident", { id: "nope" });
    expect(missing.text).toBe('NOT_FOUND: no incident with id "nope"');
    const long = await call(client, "propose_action", { action: "reindex", reason: "x".repeat(2_001) });
    expect(long.text).toBe("VALIDATION_FAILED: propose_action: reason: at most 2000 characters");
  });

  it("audits every call with the token's name, and without the arguments' text", async () => {
    const client = await overHttp(agentToken);
    await call(client, "list_actions");
    await call(client, "get_incident", { id: "nope" });
    const res = await api(agent, "/api/audit?tail=1000");
    const { events } = (await res.json()) as {
      events: { type: string; actor: string; subject: string; payload: Record<string, unknown> }[];
    };
    const calls = events.filter((e) => e.type === "mcp.called");
    expect(calls.find((e) => e.payload.tool === "list_actions")).toMatchObject({
      actor: "claude",
      payload: { ok: true, error: null },
    });
    expect(calls.find((e) => e.payload.tool === "get_incident")).toMatchObject({
      actor: "claude",
      subject: "nope",
      payload: { ok: false, error: "NOT_FOUND" },
    });
    expect(calls.find((e) => e.payload.tool === "propose_action" && e.actor === "olga")).toBeDefined();
    expect(JSON.stringify(calls)).not.toContain("the users index is stale");
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it("refuses a page of another site (DNS rebinding): its Origin, before any tool", async () => {
    const res = await api({ url: agent.url, token: agentToken }, "/mcp", {
      method: "POST",
      headers: {
        origin: "http://evil.example",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("GET and DELETE answer 405 (stateless: no stream, no session)", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await api({ url: agent.url, token: agentToken }, "/mcp", { method });
      expect(res.status).toBe(405);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32000);
    }
  });
});

describe("vigil mcp over stdio, with the SDK's client", () => {
  it("forwards to the agent: the same tools, and the same approve-then-read flow", async () => {
    const client = await overStdio({ VIGIL_URL: agent.url, VIGIL_TOKEN: agentToken });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(toolNames);
    expect(client.getInstructions()).toMatch(/you cannot/);
    const id = await proposeApproveRead(client);
    const res = await api(agent, "/api/audit?tail=1000");
    const { events } = (await res.json()) as { events: { type: string; actor: string; subject: string }[] };
    expect(events.some((e) => e.type === "mcp.called" && e.actor === "claude" && e.subject === id)).toBe(
      true,
    );
  });

  it("starts from the README's client config as written, in another folder with a bare PATH", async () => {
    // What an MCP client does with the snippet: its command and args, its env, none of this shell's.
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Connecting an MCP client"));
    const snippet = /```json\n([\s\S]*?)```/
      .exec(section)![1]!
      .replaceAll("/path/to/vigil", root)
      .replace("http://127.0.0.1:7070", agent.url)
      .replace("<the wingman token>", agentToken);
    const { command, args, env } = (
      JSON.parse(snippet) as {
        mcpServers: { vigil: { command: string; args: string[]; env: Record<string, string> } };
      }
    ).mcpServers.vigil;
    const client = new Client({ name: "vigil-test", version: "1" });
    clients.push(client);
    await client.connect(
      new StdioClientTransport({
        command,
        args,
        env: { ...env, PATH: "/usr/bin:/bin" },
        cwd: os.tmpdir(),
        stderr: "pipe",
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(toolNames);
  });

  it("a dead agent is a clear MCP error, not a hang", async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = await overStdio({ VIGIL_URL: `http://127.0.0.1:${port}`, VIGIL_TOKEN: agentToken });
    await expect(client.listTools()).rejects.toThrow(
      /no Vigil agent answered at http:\/\/127\.0\.0\.1:\d+\/mcp \(ECONNREFUSED\)/,
    );
  });

  it("an agent that never answers is a timeout error after --timeout", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const client = await overStdio({ VIGIL_URL: `http://127.0.0.1:${port}`, VIGIL_TOKEN: agentToken }, [
        "--timeout",
        "2s",
      ]);
      const started = Date.now();
      await expect(client.listTools()).rejects.toThrow(/did not answer within 2s/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it("without VIGIL_TOKEN it refuses to start rather than use the admin token", async () => {
    const r = await runCli(["mcp", "-c", agent.configFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set VIGIL_TOKEN to the assistant's own token/);
  });
});

/** Runs the Inspector's CLI (`mcp-inspector --cli`) and parses the JSON it prints. */
function inspect(args: string[]): Promise<Inspected> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [inspector, "--cli", ...args], {
      // The CLI finds its own package.json by a path it tests against the working folder but imports
      // from its module: from a folder one below the checkout, "../package.json" exists, and the
      // import reads @modelcontextprotocol/inspector-cli/package.json as it means to.
      cwd: path.join(root, "test"),
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), 25_000);
    p.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`inspector exited ${code}: ${err}${out}`));
      else resolve(JSON.parse(out) as Inspected);
    });
  });
}

describe("the MCP Inspector's CLI as the client", () => {
  const propose = [
    "--method",
    "tools/call",
    "--tool-name",
    "propose_action",
    "--tool-arg",
    "action=reindex",
    "--tool-arg",
    "reason=inspector",
  ];

  // Each Inspector run is a process of its own (and over stdio, a vigil mcp under it): minutes on a loaded machine.
  it(
    "over stdio (vigil mcp): lists the tools and proposes an action that waits",
    { timeout: 90_000 },
    async () => {
      const server = [
        process.execPath,
        vigil,
        "mcp",
        "-e",
        `VIGIL_URL=${agent.url}`,
        "-e",
        `VIGIL_TOKEN=${agentToken}`,
      ];
      const listed = await inspect([...server, "--method", "tools/list"]);
      expect(listed.tools!.map((t) => t.name).sort()).toEqual(toolNames);
      // Without the table parameter the gateway refuses, naming it: the Inspector's key=value args are strings.
      const refused = await inspect([...server, ...propose]);
      expect(refused.isError).toBe(true);
      expect(refused.content![0]!.text).toMatch(/^VALIDATION_FAILED: .*table/);
      const waiting = await inspect([...server, ...propose, "--tool-arg", 'params={"table":"jobs"}']);
      expect(waiting.structuredContent).toMatchObject({ outcome: "waiting_for_approval", status: "pending" });
      await approveAndCheck(waiting.structuredContent!.approval_id!, "reindexed jobs");
    },
  );

  it(
    "over streamable HTTP (/mcp): lists the tools and proposes an action that waits",
    { timeout: 90_000 },
    async () => {
      const server = [
        `${agent.url}/mcp`,
        "--transport",
        "http",
        "--header",
        `Authorization: Bearer ${agentToken}`,
      ];
      const listed = await inspect([...server, "--method", "tools/list"]);
      expect(listed.tools!.map((t) => t.name).sort()).toEqual(toolNames);
      const waiting = await inspect([...server, ...propose, "--tool-arg", 'params={"table":"users"}']);
      expect(waiting.structuredContent).toMatchObject({ outcome: "waiting_for_approval", status: "pending" });
      const id = waiting.structuredContent!.approval_id!;
      await approveAndCheck(id, "reindexed users");
      const read = await inspect([
        ...server,
        "--method",
        "tools/call",
        "--tool-name",
        "get_action_result",
        "--tool-arg",
        `approval_id=${id}`,
      ]);
      expect(read.structuredContent!.run).toMatchObject({ status: "succeeded", requested_by: "claude" });
    },
  );
});

async function approveAndCheck(approvalId: string, stdout: string): Promise<void> {
  const decided = await api(
    { url: agent.url, token: operatorToken },
    `/api/approvals/${approvalId}/approve`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    },
  );
  expect(decided.status).toBe(200);
  const run = await until("the run", async () => {
    const res = await api(agent, `/api/approvals/${approvalId}`);
    const a = (await res.json()) as { run_id: string | null };
    if (!a.run_id) return undefined;
    const r = (await (await api(agent, `/api/actions/runs/${a.run_id}`)).json()) as {
      finished_at: number | null;
      status: string;
      result: { stdout: string };
    };
    return r.finished_at ? r : undefined;
  });
  expect(run.status).toBe("succeeded");
  expect(run.result.stdout).toContain(stdout);
}
