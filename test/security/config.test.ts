/**
 * Careless and hostile configs against the real agent and CLI: a bad value read from the environment
 * is named by its variable and never printed; `${VAR}` is one argv word; a pattern cannot freeze the
 * agent; duplicate tokens, a token named admin, cleanups of system folders and absurd lengths are
 * config errors; a YAML alias bomb is refused fast with its position; bodies that are not UTF-8 are
 * refused; a corrupt database names its file and what to do.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";

/** A shared test machine can be slow to start a process: a generous deadline, not a shorter test. */
const start = (yaml: string, opts: Parameters<typeof startAgent>[1] = {}) =>
  startAgent(yaml, { timeoutMs: 60_000, ...opts });
import { tempDir } from "../helpers/tmp.ts";

const operatorToken = "operator-token-0123456789";
const viewerToken = "viewer-token-0123456789";
const base = (extra = "") => `agent: { name: cfg, listen: 127.0.0.1:0 }
auth:
  tokens:
    - { name: olga, role: operator, token: ${operatorToken} }
    - { name: vera, role: viewer, token: ${viewerToken} }
${extra}`;

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
});

function writeConfig(text: string): string {
  const file = path.join(tempDir("vigil-cfg-"), "vigil.yaml");
  fs.writeFileSync(file, text);
  return file;
}

const check = (file: string, env: NodeJS.ProcessEnv = {}) => runCli(["config", "check", "-c", file], { env });

async function waitFor(what: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await what());) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Runs `fn` against an agent that must stay responsive. Each request has its own 10 s deadline; an
 * agent that froze cannot act on SIGTERM, so it is killed (it runs no services: nothing is left).
 */
async function frozenIsKilled(a: RunningAgent, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    await a.stop("SIGKILL");
    throw e;
  }
}

const post = (p: string, token: string, body: unknown) =>
  api(agent!, p, {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });

describe("a bad value from the environment is named by its variable, never printed", () => {
  const secret = "hunter2-is-not-a-duration";
  const bad = base('checks:\n  web: { tcp: { host: 127.0.0.1, port: 9 }, every: "${RT_SECRET}" }\n');

  it("in vigil config check", async () => {
    const r = await check(writeConfig(bad), { RT_SECRET: secret });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:7:\d+ checks\.web\.every: the value of \$\{RT_SECRET\} is not a duration; write /,
    );
    expect(r.stdout + r.stderr).not.toContain(secret);
    const json = await runCli(["config", "check", "--json", "-c", writeConfig(bad)], {
      env: { RT_SECRET: secret },
    });
    expect(json.code).toBe(2);
    expect(json.stdout).toContain("${RT_SECRET}");
    expect(json.stdout).not.toContain(secret);
  }, 120_000);

  it("in the reload response, SIGHUP, the log and the config.reload_failed audit entry", async () => {
    agent = await start(base(), { env: { RT_SECRET: secret } });
    fs.writeFileSync(agent.configFile, bad);
    const res = await api(agent, "/api/reload", { method: "POST" });
    const answer = await res.text();
    expect(answer).toContain("the value of ${RT_SECRET} is not a duration");
    expect(answer).not.toContain(secret);
    agent.proc.kill("SIGHUP");
    const failed = async () => {
      const tail = await api(agent!, "/api/audit?tail=20", { token: viewerToken });
      const body = (await tail.json()) as { events: { type: string; payload: unknown }[] };
      return body.events.filter((e) => e.type === "config.reload_failed");
    };
    await waitFor(async () => (await failed()).length === 2);
    const events = JSON.stringify(await failed());
    expect(events).toContain("${RT_SECRET}");
    expect(events).not.toContain(secret);
    await agent.stop("SIGTERM");
    expect(agent.output()).toContain("config reload refused");
    expect(agent.output()).not.toContain(secret);
    expect(fs.readFileSync(path.join(agent.dir, ".vigil/vigil.db")).toString("latin1")).not.toContain(secret);
  }, 120_000);

  it("when the agent starts on it", async () => {
    const file = writeConfig(bad.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:0, data_dir: ./data"));
    const r = await runCli(["up", "-c", file], { env: { RT_SECRET: secret } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the value of ${RT_SECRET} is not a duration");
    expect(r.stdout + r.stderr).not.toContain(secret);
  }, 120_000);
});

describe("${VAR} in a string command", () => {
  it("is exactly one argv element, whatever the value holds", async () => {
    agent = await start(base(`actions:\n  show: { run: "printf [%s] \${RT_ARGS} last", risk: auto }\n`), {
      env: { RT_ARGS: 'one --two "three four" | five' },
    });
    const res = await post("/api/actions/show/run", operatorToken, { reason: "argv" });
    expect(res.status).toBe(200);
    const run = (await res.json()) as { result: { stdout: string } };
    expect(run.result.stdout).toBe('[one --two "three four" | five][last]');
  }, 120_000);
});

describe("a pattern cannot freeze the agent", () => {
  it("an action param pattern like (a+)+b is matched in linear time; /health stays quick", async () => {
    agent = await start(
      base(
        `actions:\n  tag: { run: [printf, "%s", "{v}"], params: { v: { pattern: "(a+)+b" } }, risk: auto }\n`,
      ),
    );
    const hostile = `${"a".repeat(4000)}c`;
    await frozenIsKilled(agent, async () => {
      const [run, health] = await Promise.all([
        post("/api/actions/tag/run", operatorToken, { params: { v: hostile }, reason: "redos" }),
        api(agent!, "/health"),
      ]);
      expect(run.status).toBe(400);
      expect(((await run.json()) as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
      expect(health.status).toBe(200);
    });
    const ok = await post("/api/actions/tag/run", operatorToken, { params: { v: "aaab" }, reason: "ok" });
    expect(ok.status).toBe(200);
  }, 120_000);

  it("a pattern the linear engine cannot run is refused at load, with its line and where in the pattern", async () => {
    const file = writeConfig(
      base(
        `actions:\n  tag: { run: [printf, "{v}"], params: { v: { pattern: "(a+)\\\\1" } }, risk: auto }\n`,
      ),
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:7:\d+ actions\.tag\.params\.v\.pattern: .*column 5.*back-references and lookarounds/,
    );
  }, 120_000);

  it("a cleanup glob with many stars against a long file name finishes at once", async () => {
    const dir = tempDir("vigil-glob-");
    const logs = path.join(dir, "logs");
    fs.mkdirSync(logs);
    fs.writeFileSync(path.join(logs, "a".repeat(200)), "x");
    agent = await start(
      base(
        `actions:\n  prune: { cleanup: { paths: [./logs], older_than: 1d, pattern: "*a*a*a*a*a*a*a*b" }, risk: auto }\n`,
      ),
      { dir },
    );
    await frozenIsKilled(agent, async () => {
      const res = await post("/api/actions/prune/run", operatorToken, { reason: "glob", dry_run: true });
      expect(res.status).toBe(200);
      expect((await api(agent!, "/health")).status).toBe(200);
    });
  }, 120_000);
});

describe("careless configs are config errors with their positions", () => {
  it("the same token value for two names", async () => {
    const file = writeConfig(
      `auth:\n  tokens:\n    - { name: olga, role: operator, token: ${operatorToken} }\n    - { name: vera, role: viewer, token: ${operatorToken} }\n`,
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:4:\d+ auth\.tokens\[1\]\.token: .*same token as auth\.tokens\[0\] \(olga\)/);
    expect(r.stderr).not.toContain(operatorToken);
  }, 120_000);

  it("a config token named admin", async () => {
    const file = writeConfig(
      `auth:\n  tokens:\n    - { name: admin, role: viewer, token: ${viewerToken} }\n`,
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /:3:\d+ auth\.tokens\[0\]\.name: "admin" is reserved for the built-in admin token/,
    );
  }, 120_000);

  it("a cleanup of /, a system folder or the data dir, in config check and in doctor", async () => {
    const file = writeConfig(
      `agent: { data_dir: ./data }\nactions:\n  wipe: { cleanup: { paths: [/, /etc, /usr/, /var, ./data, /proc/1, /var/log/app], older_than: 1d } }\n`,
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    for (const i of [0, 1, 2, 3, 4, 5])
      expect(lines.some((l) => l.includes(`actions.wipe.cleanup.paths[${i}]:`))).toBe(true);
    expect(lines.some((l) => l.includes("paths[6]"))).toBe(false);
    expect(r.stderr).toMatch(/:3:\d+ actions\.wipe\.cleanup\.paths\[0\]: \/ is a system folder/);
    expect(r.stderr).toMatch(/paths\[4\]: .* agent\.data_dir/);
    const doctor = await runCli(["doctor", "-c", file]);
    expect(doctor.code).toBe(2);
    expect(doctor.stderr).toMatch(/actions\.wipe\.cleanup\.paths\[0\]: \/ is a system folder/);
  }, 120_000);

  it("absurd lengths: a 5 MB agent.name, a huge description, label and reason", async () => {
    const file = writeConfig(
      `agent: { name: "${"n".repeat(5_000_000)}" }\nchecks:\n  web:\n    tcp: { port: 9 }\n    description: "${"d".repeat(5_000)}"\n    labels: { team: "${"l".repeat(5_000)}" }\n`,
    );
    const r = await check(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:1:\d+ agent\.name: at most 253 characters/);
    expect(r.stderr).toMatch(/:5:\d+ checks\.web\.description: at most 1000 characters/);
    expect(r.stderr).toMatch(/:6:\d+ checks\.web\.labels\.team: at most 256 characters/);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(10_000);
  }, 120_000);
});

/** The classic 9-level "billion laughs": 558 bytes that expand to 9^9 strings. */
function bomb(levels: number): string {
  const names = "abcdefghi".slice(0, levels).split("");
  const lines = [`${names[0]}: &${names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels; i++) {
    const prev = names[i - 1]!;
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n`;
}

describe("a YAML alias bomb", () => {
  it("billion laughs: config check answers at once with the alias's position, exit 2", async () => {
    const text = bomb(9);
    expect(text.length).toBeLessThan(600);
    const started = Date.now();
    const r = await check(writeConfig(text));
    expect(r.code).toBe(2);
    expect(Date.now() - started).toBeLessThan(20_000); // before: 4.2 GB and no answer in 90 s
    expect(r.stderr).toMatch(
      /:\d+:\d+ [a-i]\[\d\]: the alias \*[a-h] expands to .* values; aliases may expand/,
    );
  }, 120_000);

  it("a 6-level bomb: a position and exit 2", async () => {
    const r = await check(writeConfig(bomb(6)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vigil\.yaml:\d+:\d+ [a-f]\[\d\]: the alias \*[a-e] expands to/);
  }, 120_000);

  it("agent start and reload of a bomb fail fast with the same message", async () => {
    const started = Date.now();
    const up = await runCli([
      "up",
      "-c",
      writeConfig(`agent: { listen: 127.0.0.1:0, data_dir: ./d }\n${bomb(9)}`),
    ]);
    expect(up.code).toBe(2);
    expect(up.stderr).toMatch(/the alias \*[a-h] expands to/);
    expect(Date.now() - started).toBeLessThan(20_000); // before: 19-28 s, then "loader exited with SIGABRT"

    agent = await start(base());
    fs.writeFileSync(agent.configFile, base(bomb(9)));
    const reloadStarted = Date.now();
    const res = await api(agent, "/api/reload", { method: "POST" });
    expect(await res.text()).toMatch(/the alias \*[a-h] expands to/);
    expect(Date.now() - reloadStarted).toBeLessThan(15_000);
  }, 120_000);
});

describe("bytes that are not UTF-8", () => {
  it("in action parameters are refused, not replaced", async () => {
    agent = await start(
      base(`actions:\n  echo: { run: [printf, "%s", "{msg}"], params: { msg: {} }, risk: auto }\n`),
    );
    const body = Buffer.concat([
      Buffer.from('{"reason":"utf8","params":{"msg":"caf'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}}'),
    ]);
    const res = await post("/api/actions/echo/run", operatorToken, new Uint8Array(body));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe("BAD_REQUEST");
    expect(answer.error.message).toMatch(/not valid UTF-8/);
    const surrogate = await post(
      "/api/actions/echo/run",
      operatorToken,
      '{"reason":"utf8","params":{"msg":"caf\\ud800"}}',
    );
    expect(surrogate.status).toBe(400);
    expect(((await surrogate.json()) as { error: { message: string } }).error.message).toMatch(
      /params\.msg: .*not valid Unicode/,
    );
    const runs = (await (await api(agent, "/api/actions/runs")).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(0);
  }, 120_000);
});

describe("a corrupt database", () => {
  it("names its file and says what to do", async () => {
    const dir = tempDir("vigil-corrupt-");
    fs.mkdirSync(path.join(dir, ".vigil"), { mode: 0o700 });
    const db = path.join(dir, ".vigil/vigil.db");
    fs.writeFileSync(db, Buffer.alloc(8192, 0x5a), { mode: 0o600 });
    const file = path.join(dir, "vigil.yaml");
    fs.writeFileSync(file, "agent: { listen: 127.0.0.1:0 }\n");
    const r = await runCli(["up", "-c", file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(db);
    expect(r.stderr).toMatch(/not a database|damaged/);
    expect(r.stderr).toMatch(/move it aside/);
    expect(r.stderr).toMatch(/audit log/);
  }, 120_000);
});
