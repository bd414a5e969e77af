/** The foundation, black-box: the real agent process, its API, signals, reload and the audit chain. */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";
import { SqliteDb } from "../../src/store/sqlite/db.ts";
import { chooseEntry } from "../../bin/entry.js";
import { nodeFlags } from "../../bin/runtime.js";

const root = path.resolve(import.meta.dirname, "../..");

const viewerToken = "viewer-token-0123456789";
const operatorToken = "operator-token-0123456789";
const base = (extra = "") => `agent:
  name: e2e
  listen: 127.0.0.1:0
auth:
  tokens:
    - { name: vera, role: viewer, token: ${viewerToken} }
    - { name: olga, role: operator, token: "\${OPERATOR_TOKEN}" }
${extra}`;
const env = { OPERATOR_TOKEN: operatorToken };

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

describe("agent process", () => {
  it("serves /health and writes admin.token with mode 0600", async () => {
    agent = await startAgent(base(), { env });
    const res = await api(agent, "/health", { token: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "ok", mode: "auto", paused: false });
    // The store's path only to a token holder.
    expect(body.store).toBe("sqlite");
    const withToken = (await (await api(agent, "/health")).json()) as Record<string, unknown>;
    expect(withToken.store).toBe(`sqlite:${path.join(agent.dir, ".vigil/vigil.db")}`);
    expect(typeof body.version).toBe("string");
    expect(typeof body.scheduler_lag_ms).toBe("number");
    expect(fs.statSync(path.join(agent.dir, ".vigil/admin.token")).mode & 0o777).toBe(0o600);
  });

  it("runs with bin/runtime.js's flags and environment, and says so in /health and agent.started", async () => {
    // The helper starts `node bin/vigil.js up` with neither: the agent re-executes itself once with them.
    agent = await startAgent(base(), { env });
    const { runtime } = (await (await api(agent, "/health", { token: null })).json()) as {
      runtime: { entry: string; flags: string[]; node: string };
    };
    const entry = chooseEntry(root).endsWith("dist/src/main.js") ? "dist" : "sources";
    expect(runtime).toEqual({ entry, flags: [...nodeFlags], node: process.version });
    if (process.platform === "linux") {
      const environ = fs.readFileSync(`/proc/${agent.proc.pid}/environ`, "utf8").split("\0");
      expect(environ).toContain("MALLOC_ARENA_MAX=2");
    }
    const tail = (await (await api(agent, "/api/audit?tail=1")).json()) as {
      events: { type: string; payload: { runtime: unknown } }[];
    };
    expect(tail.events[0]).toMatchObject({ type: "agent.started", payload: { runtime } });
  });

  it("enforces bearer tokens and roles, with JSON errors from the catalog", async () => {
    agent = await startAgent(base(), { env });
    const none = await api(agent, "/api/audit", { token: null });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      error: { code: "UNAUTHENTICATED", message: "send Authorization: Bearer <token>" },
    });
    expect((await api(agent, "/api/audit", { token: "wrong-token-wrong-token" })).status).toBe(401);
    expect((await api(agent, "/api/audit", { token: viewerToken })).status).toBe(200);
    const forbidden = await api(agent, "/api/reload", { method: "POST", token: viewerToken });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    expect((await api(agent, "/api/reload", { method: "POST", token: operatorToken })).status).toBe(403);
    expect((await api(agent, "/api/reload", { method: "POST" })).status).toBe(200);
  });

  it("refuses a reload that changes what only a start applies, naming each key", async () => {
    agent = await startAgent(base(), { env });
    const text = fs.readFileSync(agent.configFile, "utf8");
    fs.writeFileSync(
      agent.configFile,
      text.replace("name: e2e", "name: e2e-renamed\n  log_level: debug\n  max_concurrent_checks: 8"),
    );
    const res = await api(agent, "/api/reload", { method: "POST" });
    expect(res.status).toBe(400);
    const body = JSON.stringify(await res.json());
    for (const key of ["agent.name", "agent.log_level", "agent.max_concurrent_checks"])
      expect(body).toContain(`${key} changed; it takes effect only at start`);
  });

  it("answers bad input with a 4xx, never a 5xx", async () => {
    agent = await startAgent(base(), { env });
    const notFound = await api(agent, "/api/nope");
    expect(notFound.status).toBe(404);
    expect(((await notFound.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const big = await api(agent, "/api/reload", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ x: "y".repeat(300 * 1024) }),
    });
    expect(big.status).toBe(413);
    const badQuery = await api(agent, "/api/audit?limit=abc");
    expect(badQuery.status).toBe(400);
    expect(((await badQuery.json()) as { error: { message: string } }).error.message).toMatch(/^limit: /);
  });

  it("slows down repeated failed authentication from one address, never a valid token", async () => {
    agent = await startAgent(base(), { env });
    const codes: number[] = [];
    for (let i = 0; i < 12; i++)
      codes.push((await api(agent, "/api/audit", { token: `bad-${i}-xxxxxxxxxxxx` })).status);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    const limited = await api(agent, "/api/audit", { token: "bad-12-xxxxxxxxxxxx" });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api(agent, "/api/audit", { token: viewerToken })).status).toBe(200);
  });

  it("drains on SIGTERM, exits 0, and records the stop in an intact chain", async () => {
    agent = await startAgent(base(), { env });
    const { dir, configFile } = agent;
    expect(await agent.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    const verify = await runCli(["audit", "verify", "-c", configFile, "--json"], { env });
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, count: 2 });
    const exported = await runCli(["audit", "export", "-c", configFile], { env });
    const types = exported.stdout
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(["agent.started", "agent.stopped"]);
    expect(fs.existsSync(path.join(dir, ".vigil/vigil.db"))).toBe(true);
  });

  it("reloads on SIGHUP and POST /api/reload; refuses an invalid config and keeps the old one", async () => {
    agent = await startAgent(base(), { env });
    fs.writeFileSync(agent.configFile, base("bogus_key: 1\n"));
    const refused = await api(agent, "/api/reload", { method: "POST" });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { error: { code: string; details: { problems: string[] } } };
    expect(body.error.code).toBe("CONFIG_INVALID");
    expect(body.error.details.problems[0]).toMatch(/vigil\.yaml:\d+:1 bogus_key: /);
    expect((await api(agent, "/health")).status).toBe(200);

    // A reload that drops the viewer token takes effect: the old token stops working.
    fs.writeFileSync(agent.configFile, base().replace(/.*vera.*\n/, ""));
    agent.proc.kill("SIGHUP");
    await expect
      .poll(async () => (await api(agent!, "/api/audit", { token: viewerToken })).status, { timeout: 5000 })
      .toBe(401);
    const tail = (await (await api(agent, "/api/audit?tail=10")).json()) as {
      events: { type: string; actor: string }[];
    };
    expect(tail.events.map((e) => e.type)).toEqual([
      "agent.started",
      "config.reload_failed",
      "config.reloaded",
    ]);
    expect(tail.events[1]!.actor).toBe("admin");
  });

  it("keeps secrets out of logs, the audit log and errors", async () => {
    const secret = "s3cret-from-env-9876";
    agent = await startAgent(base(), { env: { OPERATOR_TOKEN: secret } });
    await api(agent, "/api/audit", { token: secret });
    fs.writeFileSync(agent.configFile, base("oops: 1\n"));
    await api(agent, "/api/reload", { method: "POST" });
    const exported = await runCli(["audit", "export"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: secret },
    });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("config.reload_failed");
    await agent.stop("SIGTERM");
    for (const text of [
      agent.output(),
      exported.stdout,
      fs.readFileSync(path.join(agent.dir, ".vigil/vigil.db")).toString("latin1"),
    ]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(agent.token);
    }
  });
});

describe("vigil CLI against the agent", () => {
  it("audit verify, tail and export go through the running agent", async () => {
    agent = await startAgent(base(), { env });
    const cliEnv = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };
    const verify = await runCli(["audit", "verify"], { env: cliEnv });
    expect(verify).toMatchObject({ code: 0, stdout: "audit log intact: 1 events, last seq 1\n" });
    const tail = await runCli(["audit", "tail", "-n", "5", "--json"], { env: cliEnv });
    expect(JSON.parse(tail.stdout)).toMatchObject([{ seq: 1, type: "agent.started", actor: "vigil" }]);
    const table = await runCli(["audit", "tail"], { env: cliEnv });
    expect(table.stdout).toMatch(/^SEQ\s+TIME\s+ACTOR\s+TYPE/);
    // The token from the data dir is found through -c, without VIGIL_TOKEN.
    const viaConfig = await runCli(["audit", "tail", "-c", agent.configFile, "--json"], {
      env: { VIGIL_URL: agent.url },
    });
    expect(viaConfig.code).toBe(0);
  });

  it("audit verify exits 1 naming the first bad seq after tampering (offline with -c)", async () => {
    agent = await startAgent(base(), { env });
    fs.writeFileSync(agent.configFile, base("x: 1\n"));
    await api(agent, "/api/reload", { method: "POST" });
    await agent.stop("SIGTERM");
    const db = new SqliteDb(path.join(agent.dir, ".vigil/vigil.db"));
    await db.exec("DROP TRIGGER audit_events_no_update");
    await db.run(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2`);
    await db.close();
    fs.writeFileSync(agent.configFile, base());
    const verify = await runCli(["audit", "verify", "-c", agent.configFile], { env });
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain("audit log TAMPERED at seq 2");
  });

  it("exits 3 naming the URL when no agent answers", async () => {
    const r = await runCli(["audit", "tail"], { env: { VIGIL_URL: "http://127.0.0.1:9" } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no agent answered at http://127.0.0.1:9");
  });

  it("exits 2 on bad usage", async () => {
    expect((await runCli(["no-such-verb"])).code).toBe(2);
    // `up` in a form the plain path does not take goes through the full CLI, which explains it.
    const extra = await runCli(["up", "-c", "vigil.yaml", "surplus"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("too many arguments");
    const help = await runCli(["up", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("-c, --config <file>");
    expect(
      (await runCli(["audit", "tail", "-n", "zero"], { env: { VIGIL_URL: "http://127.0.0.1:9" } })).code,
    ).toBe(2);
  });
});

describe("start-up refusals", () => {
  it("an unwritable data_dir stops the start with exit 2 and the fix", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "blocker"), "");
    fs.writeFileSync(
      path.join(dir, "vigil.yaml"),
      "agent:\n  listen: 127.0.0.1:0\n  data_dir: ./blocker/data\n",
    );
    const r = await runCli(["up", "-c", path.join(dir, "vigil.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/agent\.data_dir .*blocker\/data cannot be written \(ENOTDIR\)/);
  });

  it("a database from a newer schema version stops the start with exit 2", async () => {
    agent = await startAgent(base(), { env });
    await agent.stop("SIGTERM");
    const db = new SqliteDb(path.join(agent.dir, ".vigil/vigil.db"));
    await db.run("INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 0)");
    await db.close();
    const r = await runCli(["up", "-c", agent.configFile], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("has schema version 999");
  });

  it("an invalid config stops the start with exit 2 and every problem", async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, "vigil.yaml"),
      "agent:\n  listen: 127.0.0.1:0\n  nope: 1\nchecks:\n  x: { tcp: { port: 1 }, every: 5 minutes }\n",
    );
    const r = await runCli(["up", "-c", path.join(dir, "vigil.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vigil\.yaml:3:3 agent\.nope: /);
    expect(r.stderr).toMatch(/vigil\.yaml:5:\d+ checks\.x\.every: /);
  });

  it("a port in use stops the start with exit 2 naming agent.listen", async () => {
    agent = await startAgent(base(), { env });
    const port = new URL(agent.url).port;
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "vigil.yaml"), `agent:\n  listen: 127.0.0.1:${port}\n`);
    const r = await runCli(["up", "-c", path.join(dir, "vigil.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`agent.listen 127.0.0.1:${port} cannot be bound (EADDRINUSE)`);
  });
});

describe("config verbs", () => {
  it("config check prints every problem as file:line:col key.path: message and exits 2; 0 when valid", async () => {
    const dir = tempDir();
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(
      bad,
      "services:\n  api: { command: [], depends_on: [db] }\nchecks:\n  api: { tcp: { port: 1 } }\n",
    );
    const r = await runCli(["config", "check", "-c", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:2:19 services.api.command: the command is empty`);
    const json = await runCli(["config", "check", "-c", bad, "--json"]);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { problems: unknown[] }).problems.length).toBeGreaterThan(0);
    const good = path.join(dir, "good.yaml");
    fs.writeFileSync(good, "checks:\n  db: { tcp: { port: 5432 } }\n");
    const ok = await runCli(["config", "check", "-c", good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("ok (0 services, 1 checks");
  });

  it("config schema prints the JSON Schema", async () => {
    const r = await runCli(["config", "schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(schema.title).toBe("vigil.yaml");
    expect(Object.keys(schema.properties)).toContain("services");
  });
});
