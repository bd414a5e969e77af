import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { file, load, problems } from "../../test/helpers/config.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { providers } from "../notify/providers/index.ts";
import { probes } from "../probes/index.ts";
import { splitArgv } from "./argv.ts";
import { configJsonSchema } from "./json-schema.ts";
import { configReference } from "./reference.ts";
import { loadConfig, loadFast, loadLocated } from "./load.ts";
import { formatProblem } from "./result.ts";

describe("config: the problems a person makes, each named precisely", () => {
  it("bad YAML syntax, with its line and column", () => {
    expect(problems("agent:\n  name: [web\n")).toEqual([
      expect.stringMatching(/^\/etc\/vigil\/vigil\.yaml:3:1: YAML syntax: /),
    ]);
    expect(problems("agent:\n  name: a\n  name: b\n")[0]).toMatch(
      /^\/etc\/vigil\/vigil\.yaml:3:3: YAML syntax: Map keys must be unique/,
    );
  });

  it("a missing environment variable, by name, at the value that reads it", () => {
    const text = 'auth:\n  tokens:\n    - { name: alice, role: admin, token: "${ALICE_TOKEN}" }\n';
    expect(problems(text)).toEqual([
      `${file}:3:42 auth.tokens[0].token: the environment variable ALICE_TOKEN is not set; export it, or write \${ALICE_TOKEN:-default}`,
    ]);
  });

  it("a duration like `5 minutes`", () => {
    expect(
      problems("services:\n  api:\n    command: [node, s.js]\n    restart: { window: 5 minutes }\n"),
    ).toEqual([
      `${file}:4:24 services.api.restart.window: "5 minutes" is not a duration; write a duration such as 500ms, 30s, 5m, 2h or 1d`,
    ]);
  });

  it("agent.public_url: a URL with its scheme, or the example of one", () => {
    expect(problems("agent:\n  public_url: vigil.example.com\n")).toEqual([
      `${file}:2:15 agent.public_url: a URL people open the dashboard at, like https://vigil.example.com`,
    ]);
    expect(load("agent: { public_url: https://vigil.example.com/ops }\n").config.agent.public_url).toBe(
      "https://vigil.example.com/ops",
    );
  });

  it("an unknown key, with its path and a hint", () => {
    expect(problems('checks:\n  web:\n    http: { url: "http://127.0.0.1:1/" }\n    evry: 10s\n')).toEqual([
      `${file}:4:5 checks.web.evry: unknown key "evry"; did you mean "every"?`,
    ]);
    expect(problems("agnet: {}\n")).toEqual([
      `${file}:1:1 agnet: unknown key "agnet"; did you mean "agent"?`,
    ]);
  });

  it("an empty command, as a list or a string", () => {
    expect(problems("services:\n  api:\n    command: []\n")).toEqual([
      `${file}:3:14 services.api.command: the command is empty; give the program and its arguments, e.g. ["node", "server.js"]`,
    ]);
    expect(problems('services:\n  api:\n    command: "  "\n')[0]).toMatch(
      /services\.api\.command: the command is empty/,
    );
  });

  it("a shell operator in a string command is refused, not silently passed to the program", () => {
    expect(problems('services:\n  api:\n    command: "node s.js | tee log"\n')[0]).toMatch(
      /services\.api\.command: the command contains the shell operator "\|", but Vigil never runs a shell/,
    );
  });

  it("a name used twice across services and checks", () => {
    const text = "services:\n  api:\n    command: [node, s.js]\nchecks:\n  api: { tcp: { port: 80 } }\n";
    expect(problems(text)).toEqual([
      `${file}:5:3 checks.api: the name "api" is used by a service and a check; every target needs its own name`,
    ]);
  });

  it("depends_on naming an unknown service", () => {
    const text = "services:\n  api:\n    command: [node, s.js]\n    depends_on: [db]\n";
    expect(problems(text)).toEqual([
      `${file}:4:18 services.api.depends_on[0]: depends on "db", which is not a service here (services: api)`,
    ]);
  });

  it("depends_on forming a cycle", () => {
    const text = [
      "services:",
      "  a: { command: [x], depends_on: [b] }",
      "  b: { command: [x], depends_on: [c] }",
      "  c: { command: [x], depends_on: [a] }",
    ].join("\n");
    expect(problems(text)).toEqual([
      `${file}:2:34 services.a.depends_on: depends_on forms a cycle: a → b → c → a`,
    ]);
  });

  it("a remediate entry naming an undefined action", () => {
    const text =
      'checks:\n  disk: { disk: {}, remediate: [clean-logs] }\nactions:\n  other: { run: ["true"], risk: auto }\n';
    expect(problems(text)).toEqual([
      `${file}:2:33 checks.disk.remediate[0]: remediate names the action "clean-logs", which is not defined under actions: (defined: other; built in: restart, start, stop, restart-largest, free-port, longer-start)`,
    ]);
  });

  it("a route naming an undefined channel", () => {
    const text = [
      "notify:",
      "  channels:",
      '    hook: { webhook: { url: "http://127.0.0.1:9/x" } }',
      "  routes:",
      "    - { to: [hook, pager] }",
    ].join("\n");
    expect(problems(text)).toEqual([
      `${file}:5:20 notify.routes[0].to[1]: the route sends to "pager", which is not a channel under notify.channels (channels: hook)`,
    ]);
  });

  it("a malformed condition, with its column inside the condition", () => {
    expect(
      problems('checks:\n  web:\n    http: { url: "http://127.0.0.1:1/" }\n    expect: ["[STATUS] = 200"]\n'),
    ).toEqual([
      `${file}:4:14 checks.web.expect[0]: column 1: no comparison operator (== != < <= > >=); write it as \`[PLACEHOLDER] <op> value\`, e.g. \`[STATUS] == 200\``,
    ]);
  });

  it("a placeholder the check type does not measure", () => {
    expect(problems('checks:\n  db:\n    tcp: { port: 5432 }\n    expect: ["[STATUS] == 200"]\n')[0]).toMatch(
      /checks\.db\.expect\[0\]: \[STATUS\] is not something a tcp check measures; it provides \[CONNECTED\] \[RESPONSE_TIME\]/,
    );
  });

  it("reports every problem at once, in file order", () => {
    const text = [
      "agent: { mode: fast }",
      "services:",
      "  api: { command: [], restart: { window: soon } }",
      "bogus: 1",
    ].join("\n");
    const all = problems(text);
    expect(all).toHaveLength(4);
    expect(all.map((p) => p.split(" ")[1])).toEqual([
      "agent.mode:",
      "services.api.command:",
      "services.api.restart.window:",
      "bogus:",
    ]);
  });

  it("a check with no type, or two", () => {
    expect(problems("checks:\n  x: { every: 10s }\n")[0]).toMatch(
      // Every check type found in src/probes/, so a new probe file is named here without an edit.
      `checks.x: say what to check with one of: ${probes.names().join(", ")}`,
    );
    expect(problems("checks:\n  x: { tcp: { port: 1 }, disk: {} }\n")[0]).toMatch(
      /checks\.x: a check watches one thing; it has disk and tcp/,
    );
  });

  it("a missing required field says what to add", () => {
    expect(problems("checks:\n  x: { tcp: {} }\n")).toEqual([
      `${file}:2:13 checks.x.tcp.port: required; add port: (number)`,
    ]);
  });
});

describe("config: what a valid file becomes", () => {
  it("fills defaults, turns durations into ms and commands into argv, resolves paths against the file's folder", () => {
    const { config } = load(
      [
        "agent: { data_dir: ./state }",
        "services:",
        "  api:",
        '    command: node "my server.js" --port 8001',
        "    cwd: app",
        '    health: { http: { url: "http://127.0.0.1:8001/health", timeout: 2s }, every: 30s }',
        "checks:",
        "  disk: { disk: { path: data }, every: 1m }",
      ].join("\n"),
    );
    expect(config.agent.data_dir).toBe("/etc/vigil/state");
    expect(config.agent.listen).toBe("127.0.0.1:7070");
    expect(config.agent.store).toBe("sqlite");
    const api = config.services.api!;
    expect(api.command).toEqual(["node", "my server.js", "--port", "8001"]);
    expect(api.cwd).toBe("/etc/vigil/app");
    expect(api.restart.backoff.initial).toBe(100);
    expect(api.restart.window).toBe(300_000);
    expect(api.remediate).toEqual(["restart"]);
    expect(api.health).toMatchObject({ http: { timeout: 2_000 } });
    expect(api.health?.every).toBe(30_000);
    expect(config.checks.disk).toMatchObject({ disk: { path: "/etc/vigil/data" } });
    expect(config.checks.disk?.every).toBe(60_000);
    expect(config.remediation.approval_ttl).toBe(30 * 60_000);
  });

  it("interpolates ${VAR} in values, ${VAR:-default}, $${ as a literal, and knows the values are secrets", () => {
    const { config, secrets } = load(
      [
        "auth:",
        '  tokens: [{ name: ci, role: operator, token: "${CI_TOKEN}" }]',
        "services:",
        '  api: { command: [node, s.js], env: { PORT: "${PORT:-8001}", LITERAL: "$${HOME}" } }',
      ].join("\n"),
      { CI_TOKEN: "0123456789abcdef0123" },
    );
    expect(config.auth.tokens[0]?.token).toBe("0123456789abcdef0123");
    expect(config.services.api?.env).toEqual({ PORT: "8001", LITERAL: "${HOME}" });
    expect(secrets).toContain("0123456789abcdef0123");
  });

  it("an interpolated value cannot inject YAML structure", () => {
    const { config } = load('agent: { name: "${NAME}" }\n', { NAME: "x\nmode: observe" });
    expect(config.agent.name).toBe("x\nmode: observe");
    expect(config.agent.mode).toBe("auto");
  });

  it("collects secrets written in the file by key and inside URLs", () => {
    const { secrets } = load(
      [
        "notify:",
        "  channels:",
        '    hook: { webhook: { url: "http://ops:hunter2-pass@127.0.0.1:2525/vigil" } }',
        "checks:",
        '  hb: { heartbeat: { within: 1h, token: "heartbeat-token-123456" } }',
      ].join("\n"),
    );
    expect(secrets).toEqual(expect.arrayContaining(["hunter2-pass", "heartbeat-token-123456"]));
  });

  it("a channel of a type no provider handles is refused at load, naming the providers", () => {
    expect(problems("notify:\n  channels:\n    p: { pigeon: { loft: x } }\n")).toEqual([
      `${file}:3:8 notify.channels.p: name the provider, one of: ${providers.names().join(", ")}`,
      `${file}:3:10 notify.channels.p.pigeon: unknown key "pigeon"`,
    ]);
  });

  it("a channel's settings are checked by its provider's own schema, naming the field and the fix", () => {
    const found = problems(
      'notify:\n  channels:\n    tg: { telegram: { bot_token: "not-a-token", chat_id: "1" } }\n',
    );
    expect(found).toEqual([
      `${file}:3:34 notify.channels.tg.telegram.bot_token: a bot token from @BotFather, like 123456:ABC-DEF...`,
    ]);
  });

  it("reads a file, and names a missing one", async () => {
    const dir = tempDir();
    const f = path.join(dir, "vigil.yaml");
    fs.writeFileSync(f, 'services:\n  a: { command: [sleep, "1"] }\n');
    const ok = await loadConfig(f, {});
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.config.services.a?.cwd).toBe(dir);
    const missing = await loadConfig(path.join(dir, "nope.yaml"), {});
    expect(missing.ok).toBe(false);
    if (!missing.ok)
      expect(missing.problems[0]?.message).toMatch(/no such file; pass the config with -c FILE/);
  });

  it("refuses a file too large to be a config, without reading it", async () => {
    const f = path.join(tempDir(), "huge.yaml");
    fs.writeFileSync(f, "");
    fs.truncateSync(f, 20_000_000);
    const r = await loadConfig(f, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(/the file is 20 MB; a config may be at most 16 MB/);
  });

  it("examples/vigil.yaml is valid", async () => {
    const r = await loadConfig(path.resolve(import.meta.dirname, "../../examples/vigil.yaml"), {});
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
  });
});

describe("config: argv splitting without a shell", () => {
  it.each([
    ["node server.js", ["node", "server.js"]],
    [`node "my server.js" --x='a b'`, ["node", "my server.js", "--x=a b"]],
    [`printf '%s\\n' "a \\"q\\""`, ["printf", "%s\\n", 'a "q"']],
    ["a\\ b c", ["a b", "c"]],
    [`echo ""`, ["echo", ""]],
    ["echo $HOME *.txt", ["echo", "$HOME", "*.txt"]],
  ])("%s", (text, argv) => {
    expect(splitArgv(text)).toEqual({ ok: true, argv });
  });

  it.each([
    "a | b",
    "a && b",
    "a; b",
    "a > f",
    "a < f",
    "echo `id`",
    "echo $(id)",
    'echo "$(id)"',
    "a &",
    "echo 'x",
  ])("refuses %s", (text) => {
    expect(splitArgv(text).ok).toBe(false);
  });
});

describe("config: JSON Schema", () => {
  it("is generated from the schema, refuses unknown keys and shows defaults as written", () => {
    const s = configJsonSchema() as {
      properties: Record<string, { properties?: Record<string, { default?: unknown }> }>;
      additionalProperties: boolean;
    };
    expect(s.additionalProperties).toBe(false);
    expect(Object.keys(s.properties)).toEqual(
      expect.arrayContaining([
        "agent",
        "auth",
        "services",
        "checks",
        "actions",
        "remediation",
        "notify",
        "jobs",
      ]),
    );
    expect(s.properties.remediation?.properties?.cooldown?.default).toBe("60s");
  });

  it("examples/vigil.schema.json is the generated one", () => {
    const file = path.resolve(import.meta.dirname, "../../examples/vigil.schema.json");
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(configJsonSchema());
  });
});

describe("config: the README's reference", () => {
  it("is the one generated from the schema (run node scripts/docs.ts after changing it)", () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
    const block = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(
      readme,
    )?.[1];
    expect(block).toBe(configReference());
  });
});

describe("config: the fast path and the located path", () => {
  it("accept the same files and produce the same config", () => {
    const texts = [
      fs.readFileSync(path.resolve(import.meta.dirname, "../../examples/vigil.yaml"), "utf8"),
      [
        "agent: { name: n1, data_dir: /var/lib/vigil, mode: observe }",
        'auth: { tokens: [{ name: ci, role: operator, token: "${CI_TOKEN}" }] }',
        "services:",
        '  db: { command: "postgres -D /data", port: 5432 }',
        "  api:",
        "    command: [node, server.js]",
        "    depends_on: [db]",
        '    env: { PORT: 8001, DEBUG: true, LEVEL: "${LEVEL:-info}" }',
        '    health: { http: { url: "http://127.0.0.1:8001/health" }, expect: ["[STATUS] == 200"] }',
        "    remediate: [restart, { action: reindex, when: [timeout], params: { table: users } }]",
        "checks:",
        '  disk: { disk: { path: / }, expect: ["[USED_PERCENT] < 85"], labels: { team: ops } }',
        "  beat: { heartbeat: { within: 26h } }",
        "actions:",
        '  reindex: { run: [/usr/local/bin/reindex, --table, "{table}"], params: { table: { enum: [users, jobs] } } }',
        "notify:",
        '  channels: { hook: { webhook: { url: "http://127.0.0.1:9/h" } } }',
        "  routes: [{ match: { severity: [critical] }, to: [hook] }]",
        'maintenance: [{ targets: [api], cron: "30 2 * * *", duration: 1h, reason: backup }]',
      ].join("\n"),
    ];
    for (const text of texts) {
      const env = { CI_TOKEN: "0123456789abcdef0123" };
      const fast = loadFast(text, file, env);
      const located = loadLocated(text, file, env);
      if (!located.ok) throw new Error(located.problems.map(formatProblem).join("\n"));
      expect(fast).toEqual(located);
    }
  });

  it("the fast path declines an invalid file, so its problems are reported with positions", () => {
    expect(loadFast("agent: { mode: fast }\n", file, {})).toBeUndefined();
    expect(loadFast("agent: [\n", file, {})).toBeUndefined();
    expect(loadFast('agent: { name: "${NOPE}" }\n', file, {})).toBeUndefined();
  });
});
