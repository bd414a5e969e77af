/**
 * Careless and hostile configs, in-process: what the environment gave is never quoted back, `${VAR}`
 * is one argv word, patterns are RE2's, aliases cannot explode, duplicate and reserved tokens,
 * system folders and absurd lengths are refused, and only real secrets are secrets.
 */
import { describe, expect, it } from "vitest";
import { file, load, problems } from "../../test/helpers/config.ts";

const cpuMs = (fn: () => void): number => {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
};

describe("a value from the environment is named, never quoted", () => {
  it("a bad duration says which variable holds it", () => {
    const secret = "hunter2-is-not-a-duration";
    const out = problems('checks:\n  web: { tcp: { port: 9 }, every: "${RT_SECRET}" }\n', {
      RT_SECRET: secret,
    });
    expect(out).toEqual([
      `${file}:2:35 checks.web.every: the value of \${RT_SECRET} is not a duration; write a duration such as 500ms, 30s, 5m, 2h or 1d`,
    ]);
  });

  it("a value inside a longer string is shown as written; a truncated quote is not shown at all", () => {
    const out = problems('checks:\n  web: { tcp: { port: 9 }, every: "1${RT_UNIT}" }\n', {
      RT_UNIT: "parsecs",
    });
    expect(out[0]).toContain('"1${RT_UNIT}" is not a duration');
    expect(out.join("\n")).not.toContain("parsecs");
    const long = `${"x".repeat(40)}-secret-tail-0123456789 * * * *`;
    const cron = problems(
      `services:\n  a: { command: [x] }\nmaintenance:\n  - { targets: [a], cron: "\${RT_CRON}", duration: 1h }\n`,
      { RT_CRON: long },
    ).join("\n");
    expect(cron).toContain("the value of ${RT_CRON} is not accepted here");
    expect(cron).not.toContain("secret-tail");
  });

  it("names a value that refers to something missing, without quoting it", () => {
    const out = problems('services:\n  a: { command: [x], depends_on: ["${RT_DEP}"] }\n', {
      RT_DEP: "db-primary-7",
    }).join("\n");
    expect(out).toContain("${RT_DEP}");
    expect(out).not.toContain("db-primary-7");
  });
});

describe("${VAR} in a command written as one string", () => {
  it("is exactly one argv element, however the value would split", () => {
    const { config } = load('services:\n  api: { command: "node ${APP}/server.js ${ARGS} --port 80" }\n', {
      APP: "/srv/my app",
      ARGS: 'one --two "three four" | five',
    });
    expect(config.services.api?.command).toEqual([
      "node",
      "/srv/my app/server.js",
      'one --two "three four" | five',
      "--port",
      "80",
    ]);
  });

  it("keeps ${X:-a b} whole, and $${ literal", () => {
    const { config } = load('services:\n  api: { command: "prog ${X:-a b} $${HOME}" }\n');
    expect(config.services.api?.command).toEqual(["prog", "a b", "${HOME}"]);
  });

  it("applies to commands in plug-in settings too (a command check, a run action)", () => {
    const { config } = load(
      'checks:\n  c: { command: { run: "test -n ${V}" } }\nactions:\n  a: { run: "printf %s ${V}" }\n',
      { V: "x y" },
    );
    expect(config.checks.c).toMatchObject({ command: { run: ["test", "-n", "x y"] } });
    expect(config.actions.a).toMatchObject({ run: ["printf", "%s", "x y"] });
  });

  it("a missing variable in a command is reported once, at the command", () => {
    expect(problems('services:\n  api: { command: "node ${NOPE}" }\n')).toEqual([
      `${file}:2:19 services.api.command: the environment variable NOPE is not set; export it, or write \${NOPE:-default}`,
    ]);
  });
});

describe("action parameter patterns are RE2's", () => {
  const action = (pattern: string) =>
    `actions:\n  a: { run: [printf, "{v}"], params: { v: { pattern: ${JSON.stringify(pattern)} } } }\n`;

  it("a pattern RE2 cannot run is refused with where it goes wrong", () => {
    expect(problems(action("(a)\\1"))).toEqual([
      expect.stringMatching(
        /^\/etc\/vigil\/vigil\.yaml:2:\d+ actions\.a\.params\.v\.pattern: column 4: invalid escape sequence: `\\1`; patterns are matched by RE2/,
      ),
    ]);
    expect(problems(action("a(?=b)"))[0]).toContain("column 2: invalid or unsupported Perl syntax");
    expect(problems(action("x".repeat(501)))[0]).toContain("at most 500 characters");
  });

  it("a catastrophic pattern for a backtracking engine loads: RE2 matches it in linear time", () => {
    load(action("(a+)+b"));
  });
});

/** The classic "billion laughs": 9 levels of 9 aliases. */
function bomb(levels: number): string {
  const names = "abcdefghi".slice(0, levels).split("");
  const lines = [`${names[0]}: &${names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `${names[i]}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(",")}]`,
    );
  return `${lines.join("\n")}\n`;
}

describe("YAML aliases", () => {
  it("a billion laughs is refused in well under a second of CPU, at the alias that crossed the budget", () => {
    let out: string[] = [];
    const ms = cpuMs(() => (out = problems(bomb(9))));
    expect(ms).toBeLessThan(1_000);
    expect(out).toEqual([
      expect.stringMatching(
        /^\/etc\/vigil\/vigil\.yaml:6:8 f\[0\]: the alias \*e expands to 66,430 values; aliases may expand the config to at most 100,000 values in all: write the values out, or nest fewer aliases$/,
      ),
    ]);
  });

  it("a 6-level bomb too", () => {
    expect(problems(bomb(6))[0]).toMatch(
      /^\/etc\/vigil\/vigil\.yaml:\d+:\d+ [a-f]\[\d\]: the alias \*[a-e] expands/,
    );
  });

  it("an alias that holds itself", () => {
    expect(problems("a: &a [1, *a]\n")[0]).toMatch(/a\[1\]: the alias \*a expands to endlessly many values/);
  });

  it("plain reuse of an anchor, many times, still loads", () => {
    const checks = Array.from({ length: 300 }, (_, i) => `  c${i}: { tcp: { port: 9 }, flap: *flap }`).join(
      "\n",
    );
    const first = "  c: { tcp: { port: 9 }, flap: &flap { window: 5m, max_changes: 4 } }";
    const { config } = load(`checks:\n${first}\n${checks}\n`);
    expect(Object.keys(config.checks)).toHaveLength(301);
  });
});

describe("careless values", () => {
  const operator = "operator-token-0123456789";

  it("the same token for two names, and a token named admin", () => {
    const out = problems(
      `auth:\n  tokens:\n    - { name: olga, role: operator, token: ${operator} }\n    - { name: admin, role: viewer, token: ${operator} }\n`,
    );
    expect(out).toEqual([
      `${file}:4:15 auth.tokens[1].name: "admin" is reserved for the built-in admin token (/etc/vigil/.vigil/admin.token); give this token another name`,
      `${file}:4:43 auth.tokens[1].token: "admin" has the same token as auth.tokens[0] (olga), so it would authenticate as olga; give each name its own token (openssl rand -hex 24)`,
    ]);
  });

  it("a heartbeat token that is an operator's token", () => {
    const out = problems(
      `auth:\n  tokens:\n    - { name: olga, role: operator, token: ${operator} }\nchecks:\n  nightly: { heartbeat: { within: 26h, token: ${operator} } }\n`,
    );
    expect(out).toEqual([
      `${file}:5:47 checks.nightly.heartbeat.token: the same token as auth.tokens[0] (olga), so whatever pushes this heartbeat could also act as olga; give the heartbeat a token of its own (openssl rand -hex 24)`,
    ]);
    expect(out.join("")).not.toContain(operator);
  });

  it("cleanups of system folders and of the data dir, but not of its logs", () => {
    const out = problems(
      "agent: { data_dir: /srv/vigil/data }\nactions:\n  w: { cleanup: { paths: [/, /lib64/x, /srv/vigil, /srv/vigil/data/logs, /var/log/app], older_than: 1d } }\n",
    );
    expect(out).toHaveLength(3);
    expect(out[0]).toContain("actions.w.cleanup.paths[0]: / is a system folder (/)");
    expect(out[1]).toContain("actions.w.cleanup.paths[1]: /lib64/x is a system folder (/lib64/x)");
    expect(out[2]).toContain("actions.w.cleanup.paths[2]: /srv/vigil is or holds agent.data_dir");
  });

  it("absurd lengths, cheaply", () => {
    let out: string[] = [];
    const ms = cpuMs(
      () =>
        (out = problems(
          `agent: { name: "${"n".repeat(5_000_000)}" }\nchecks:\n  c: { tcp: { port: 9 }, labels: { "${"k".repeat(200)}": v } }\n`,
        )),
    );
    expect(ms).toBeLessThan(3_000);
    expect(out).toEqual([
      `${file}:1:16 agent.name: at most 253 characters`,
      expect.stringContaining("checks.c.labels"),
    ]);
  });
});

describe("secrets are the values of secret-bearing settings, not every interpolated value", () => {
  it("an interpolated name is not a secret; tokens, provider secrets, URL passwords and bearer credentials are", () => {
    const { secrets } = load(
      [
        'agent: { name: "${RT_APP}" }',
        "auth:",
        '  tokens: [{ name: ci, role: operator, token: "${CI_TOKEN}" }]',
        "checks:",
        '  api: { http: { url: "http://u:p%40ss-word@127.0.0.1:1/", headers: { Authorization: "Bearer ${BEARER}" } } }',
        "notify:",
        "  channels:",
        '    s: { slack: { webhook_url: "https://hooks.slack.com/services/T0/B0/xyzxyzxyz" } }',
        '    t: { telegram: { bot_token: "123456:ABCDEFGHIJ", chat_id: "1" } }',
      ].join("\n"),
      { RT_APP: "vigil", CI_TOKEN: "0123456789abcdef0123", BEARER: "bearer-credential-value" },
    );
    expect(secrets).not.toContain("vigil");
    expect(secrets).toEqual(
      expect.arrayContaining([
        "0123456789abcdef0123",
        "p%40ss-word",
        "p@ss-word",
        "Bearer bearer-credential-value",
        "bearer-credential-value",
        "https://hooks.slack.com/services/T0/B0/xyzxyzxyz",
        "123456:ABCDEFGHIJ",
      ]),
    );
  });

  it("a value a remediate step passes to a secret parameter is a secret", () => {
    const { secrets } = load(
      [
        "actions:",
        '  rotate: { run: [rotate, "{key}"], params: { key: { secret: true } }, risk: auto }',
        "services:",
        '  api: { command: [x], remediate: [{ action: rotate, params: { key: "${ROTATE_KEY}" } }] }',
      ].join("\n"),
      { ROTATE_KEY: "rotate-key-value-123" },
    );
    expect(secrets).toContain("rotate-key-value-123");
  });
});
