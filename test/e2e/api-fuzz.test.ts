/**
 * Property-based fuzzing of the real agent's API: every route, every kind of caller, malformed JSON,
 * wrong types, huge bodies, odd encodings and odd path segments. Whatever arrives: no 5xx, no crash,
 * an error body of the catalog's shape, and nothing half-written afterwards.
 */
import fc from "fast-check";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../src/api/server.ts";
import { SqliteDb } from "../../src/store/sqlite/db.ts";
import { runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";

const tokens = ["viewer-token-0123456789", "agent-token-0123456789", "operator-token-0123456789"];
const config = `agent: { name: fuzz, listen: 127.0.0.1:0 }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${tokens[0]} }
    - { name: claude, role: agent, token: ${tokens[1]} }
    - { name: olga, role: operator, token: ${tokens[2]} }
checks:
  disk: { disk: { path: / }, every: 1m }
actions:
  echo:    { run: [printf, "%s", "{msg}"], params: { msg: {} }, risk: auto }
  reindex: { run: [printf, "%s", "{table}"], params: { table: { enum: [users, jobs] } }, risk: approve }
`;

let agent: RunningAgent;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-fuzz-"));
  agent = await startAgent(config, { dir });
});
afterAll(async () => {
  await agent.stop("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
});

const segment = fc.oneof(
  fc.constantFrom("echo", "reindex", "disk", "x", "..", "%2e%2e", "%00", "%ff", "a%2Fb", "💥", "-1"),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.string({ minLength: 190, maxLength: 400 }).map(encodeURIComponent),
);

/** Bodies close enough to valid that they reach the gateway, so the fuzz exercises runs and approvals. */
const plausible = fc.oneof(
  fc.record({ params: fc.record({ msg: fc.string() }), reason: fc.string() }),
  fc.record({ params: fc.record({ table: fc.constantFrom("users", "jobs", "nope") }) }),
  fc.record({ note: fc.string() }),
);

const jsonish = fc.oneof(
  plausible.map((v) => JSON.stringify(v)),
  plausible.map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        params: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 4 }),
        reason: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        target: fc.oneof(fc.string(), fc.constant("disk"), fc.array(fc.string())),
        dry_run: fc.oneof(fc.boolean(), fc.string()),
        note: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.constant('{"params": {"msg": "x"}'),
  fc.constant("[".repeat(5000)),
  fc.constant(`{"params":{"table":"users"},"reason":"${"r".repeat(300_000)}"}`),
  fc.string(),
);

const body = fc.oneof(
  jsonish.map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 512 }),
  fc.constant(new Uint8Array([0xff, 0xfe, 0x7b, 0x22, 0xc3])),
);

const request = fc.record({
  route: fc.constantFrom(...routes),
  segs: fc.array(segment, { minLength: 2, maxLength: 2 }),
  query: fc.oneof(
    fc.constant(""),
    fc.constantFrom(
      "?status=pending",
      "?status=nope",
      "?limit=-1",
      "?limit=99999999999999999999",
      "?after=x&limit=%00",
      "?n=0",
    ),
  ),
  token: fc.oneof(fc.constantFrom(...tokens), fc.constant(undefined), fc.constant("wrong-token-0123456789")),
  contentType: fc.constantFrom(
    "application/json",
    "application/json; charset=latin1",
    "text/plain",
    undefined,
    "application/x-www-form-urlencoded",
  ),
  body,
  method: fc.constantFrom<"route" | "GET" | "PUT" | "PATCH">(
    "route",
    "route",
    "route",
    "GET",
    "PUT",
    "PATCH",
  ),
});

/** Aimed at the gateway: valid callers and JSON, fuzzed bodies and parameters, so runs and approvals happen. */
const aimed = fc.record({
  path: fc.constantFrom("/api/actions/echo/run", "/api/actions/reindex/run", "/api/actions/nope/run"),
  token: fc.constantFrom(tokens[1]!, tokens[2]!),
  body: fc.oneof(plausible, fc.jsonValue()).map((v) => JSON.stringify(v)),
});

async function expectNo5xx(res: Response, what: string): Promise<number> {
  const text = await res.text();
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    const body = JSON.parse(text) as { jsonrpc?: string; error: { code: string | number; message: string } };
    const err = body.error;
    // /mcp speaks JSON-RPC: past the router's own refusals (token, Host, size), its errors are
    // JSON-RPC's, with a numeric code, as MCP clients read them.
    expect(typeof err.code).toBe(body.jsonrpc === "2.0" && what.includes("/mcp") ? "number" : "string");
    expect(typeof err.message).toBe("string");
  }
  return res.status;
}

describe("API fuzzing", () => {
  it("answers every malformed request with a 4xx or a success, never a 5xx, and keeps running", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(aimed, async (r) => {
        const res = await fetch(agent.url + r.path, {
          method: "POST",
          headers: { authorization: `Bearer ${r.token}`, "content-type": "application/json" },
          body: r.body,
          signal: AbortSignal.timeout(10_000),
        });
        const status = await expectNo5xx(res, `POST ${r.path} ${r.body.slice(0, 200)}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let i = 0;
        const p = r.route.path.replace(/:\w+/g, () => r.segs[i++] ?? "x") + r.query;
        const method = r.method === "route" ? r.route.method : r.method;
        const headers: Record<string, string> = {};
        if (r.token) headers.authorization = `Bearer ${r.token}`;
        if (r.contentType) headers["content-type"] = r.contentType;
        const res = await fetch(agent.url + p, {
          method,
          headers,
          ...(method === "GET" ? {} : { body: r.body }),
          signal: AbortSignal.timeout(10_000),
        });
        // An event stream answers 200 and stays open (events.test.ts reads it): the status is the answer.
        if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
          await res.body?.cancel();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          return;
        }
        // The ops report answers 503 when a target is down: a fact about the targets, not a failure.
        if (res.status === 503 && p.startsWith("/ops-report")) {
          expect(((await res.json()) as { overall_ok: boolean }).overall_ok).toBe(false);
          return;
        }
        const status = await expectNo5xx(res, `${method} ${p}`);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }),
      { numRuns: 400 },
    );
    // The fuzz reached deep enough to be worth something: some requests passed auth and validation.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThanOrEqual(3);

    expect((await fetch(`${agent.url}/health`)).status).toBe(200);
    // An oversized body gets its 413, not a connection reset while the client is still sending.
    for (const route of ["/api/actions/echo/run", "/health", "/api/approvals/x/approve"]) {
      const big = await fetch(agent.url + route, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ reason: "r".repeat(300_000) }),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    }

    // Nothing half-written: stop the agent cleanly, then read what it left.
    expect((await agent.stop("SIGTERM")).code).toBe(0);
    const verify = await runCli(["audit", "verify", "-c", agent.configFile]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const db = new SqliteDb(path.join(dir, ".vigil/vigil.db"), { readOnly: true });
    try {
      expect(
        await db.all("SELECT id FROM action_runs WHERE status = 'running' OR finished_at IS NULL"),
      ).toEqual([]);
      expect(await db.all("SELECT id FROM approvals WHERE status = 'approved' AND run_id IS NULL")).toEqual(
        [],
      );
      const runs = await db.all<{ n: number }>("SELECT COUNT(*) AS n FROM action_runs");
      expect(Number(runs[0]!.n)).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
  });
});
