/**
 * `vigil doctor` as a real process against real things on 127.0.0.1: the seed's wrong port (a
 * service whose env says one port while its health check probes another), with and without a
 * running agent; a command check whose program does not exist; a config where everything works;
 * `--json`; `--send`; an invalid config.
 */
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import fs from "node:fs";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startAgent } from "../helpers/agent.ts";
import { BotApiServer } from "../helpers/bot-api.ts";
import { freePort } from "../helpers/net.ts";
import { tempDir } from "../helpers/tmp.ts";

const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");
const received: string[] = [];
const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    if (req.method === "POST") received.push(body);
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
  });
});
let port = 0;

beforeAll(async () => {
  port = await new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

/** A config in a fresh folder, with an agent.listen where nothing listens (unless `listen` says). */
async function configFile(body: string, listen?: string): Promise<{ file: string; dir: string }> {
  const dir = tempDir("vigil-doctor-");
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `agent: { listen: "${listen ?? `127.0.0.1:${await freePort()}`}" }\n${body}`);
  return { file, dir };
}

describe("vigil doctor", () => {
  it("a working config against a real HTTP server: exit 0 with ✓ lines, and --json parses", async () => {
    // The service is the agent's to start, on a port nobody holds yet (a holder would be a conflict).
    const webPort = await freePort();
    const { file } = await configFile(`services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${webPort}" }
    port: ${webPort}
    health: { http: { url: "http://127.0.0.1:${webPort}/health" }, expect: ["[STATUS] == 200"] }
checks:
  api: { http: { url: "http://127.0.0.1:${port}/health" } }
  socket: { tcp: { host: 127.0.0.1, port: ${port} } }
  disk: { disk: { path: / }, expect: ["[USED_PERCENT] <= 100"] }
  script: { command: { run: ["${process.execPath}", "--version"] } }
actions:
  hello: { run: ["${process.execPath}", "-e", "1"], risk: auto }
  hook: { http: { url: "http://127.0.0.1:${port}/act" }, risk: notify }
notify:
  channels:
    hook: { webhook: { url: "http://127.0.0.1:${port}/vigil" } }
`);
    const r = await runCli(["doctor", "-c", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("✗");
    expect(r.stdout).toMatch(
      /^✓ agent: none answers at http:\/\/127\.0\.0\.1:\d+; doctor works without one$/m,
    );
    expect(r.stdout).toMatch(/^✓ service web: ports agree \(\d+\)$/m);
    expect(r.stdout).toMatch(/^✓ check api: HTTP 200 in \d+ ms; every condition holds \(1\)$/m);
    expect(r.stdout).toMatch(/^✓ check socket: .*every condition holds/m);
    expect(r.stdout).toMatch(/^✓ check script: .* exists and is executable$/m);
    expect(r.stdout).toMatch(/^✓ action hello: .* exists and is executable$/m);
    expect(r.stdout).toMatch(/^✓ action hook: 127\.0\.0\.1:\d+ accepts connections; no request made$/m);
    expect(r.stdout).toMatch(
      /^✓ channel hook \(webhook\): 127\.0\.0\.1:\d+ accepts connections .*nothing sent/m,
    );
    // The service is the agent's to run; without an agent it is not expected up.
    expect(r.stdout).toMatch(/^- service web: not running: no agent is running/m);
    expect(r.stdout).toMatch(/^no problems \(\d+ ok, \d+ not tried\)$/m);
    expect(received).toEqual([]); // nothing was sent, nothing was run against the hook action

    const j = await runCli(["doctor", "-c", file, "--json"]);
    expect(j.code).toBe(0);
    const parsed = JSON.parse(j.stdout) as {
      ok: boolean;
      problems: number;
      findings: { verdict: string; thing: string; what: string }[];
    };
    expect(parsed).toMatchObject({ ok: true, problems: 0 });
    expect(parsed.findings).toContainEqual(expect.objectContaining({ verdict: "ok", thing: "check api" }));
  });

  it("--send sends a real test message through each channel", async () => {
    const { file } = await configFile(`notify:
  channels:
    hook: { webhook: { url: "http://127.0.0.1:${port}/vigil" } }
`);
    received.length = 0;
    const r = await runCli(["doctor", "-c", file, "--send"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ channel hook \(webhook\): sent a test message in \d+ ms$/m);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!)).toMatchObject({ kind: "test" });
  });

  it("no agent: the env's port against the health check's names both ports; a missing program is named; exit 1", async () => {
    const envPort = await freePort();
    const wrongPort = await freePort();
    const { file } = await configFile(`services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${envPort}" }
    health: { http: { url: "http://127.0.0.1:${wrongPort}/health" } }
checks:
  script: { command: { run: ["vigil-no-such-program", "--check"] } }
`);
    const r = await runCli(["doctor", "-c", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `✗ service web: its env sets PORT=${envPort}, but the health check probes port ${wrongPort}: the check will find nothing on the wrong port — the service listens where its env says (${envPort}): point services.web.health.http.url at port ${envPort}`,
    );
    expect(r.stdout).toMatch(
      /^✗ check script: program "vigil-no-such-program" is not on PATH \(.*\) — install it, or write its full path in checks\.script\.command\.run$/m,
    );
    expect(r.stdout).toMatch(/^2 problem\(s\), \d+ ok, \d+ not tried$/m);
  });

  it("no agent, but something already holds a service's port: named with its holder", async () => {
    const { file } = await configFile(`services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}" }
    port: ${port}
`);
    const r = await runCli(["doctor", "-c", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(
        `^✗ service web: port ${port} is taken by pid ${process.pid} \\(.*\\) while no agent runs — \`vigil up\` would find it taken: stop that process, or change services\\.web\\.port$`,
        "m",
      ),
    );
  });

  it("the seed's failure with the agent running: port refused, and the port the env names answers", async () => {
    const envPort = await freePort();
    const wrongPort = await freePort();
    const agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${envPort}" }
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${wrongPort}/health" }, every: 1m }
`);
    try {
      // The service itself is up on its env's port: only the check is wrong.
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${envPort}/health`).then(
              (res) => res.status,
              () => 0,
            ),
          {
            timeout: 10_000,
          },
        )
        .toBe(200);
      const r = await runCli(["doctor", "-c", agent.configFile], {
        env: { VIGIL_URL: agent.url },
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^✓ agent: running at http:\/\/127\.0\.0\.1:\d+ \(version .+, mode auto\)$/m);
      expect(r.stdout).toContain(
        `✗ service web: port ${wrongPort} refused: is the service listening on ${envPort} as its env says? — 127.0.0.1:${envPort} answers: point services.web.health.http.url at port ${envPort}`,
      );
    } finally {
      await agent.stop();
    }
  });

  it("channels are reached without sending: Telegram getMe and getChat, an SMTP handshake; a bad token is named", async () => {
    const token = "123456:doctor-test-token";
    const bot = new BotApiServer(token);
    const botUrl = await bot.listen();
    const smtp = new SMTPServer({
      logger: false,
      disabledCommands: ["STARTTLS"],
      authOptional: true,
      onData: (stream, _session, callback) => stream.resume().on("end", () => callback()),
    });
    const smtpPort = await new Promise<number>((r) =>
      smtp.listen(0, "127.0.0.1", () => r((smtp.server.address() as net.AddressInfo).port)),
    );
    try {
      const { file } = await configFile(`notify:
  channels:
    oncall: { telegram: { bot_token: "${token}", chat_id: "-100123", api_root: "${botUrl}" } }
    revoked: { telegram: { bot_token: "999:revoked-token", chat_id: "-100123", api_root: "${botUrl}" } }
    mail: { email: { smtp: "smtp://127.0.0.1:${smtpPort}", from: vigil@example.com, to: [ops@example.com] } }
`);
      const r = await runCli(["doctor", "-c", file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(
        /^✓ channel oncall \(telegram\): bot @vigil_test_bot answers and sees chat -100123; nothing sent/m,
      );
      expect(r.stdout).toMatch(
        /^✗ channel revoked \(telegram\): .*Telegram 401: Unauthorized — the bot token is not valid: get one from @BotFather and set notify\.channels\.revoked\.telegram\.bot_token$/m,
      );
      expect(r.stdout).toMatch(
        /^✓ channel mail \(email\): SMTP 127\.0\.0\.1:\d+ accepts the connection and the login; nothing sent/m,
      );
      expect(r.stdout).not.toContain("revoked-token");
      expect(bot.calls.map((c) => c.method).sort()).toEqual(["getChat", "getMe"]);
    } finally {
      await bot.close();
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it("an invalid config: exit 2 with file:line:col key.path: message", async () => {
    const { file } = await configFile(`checks:\n  x: { tcp: { port: 1 }, evry: 5s }\n`);
    const r = await runCli(["doctor", "-c", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vigil\.yaml:3:\d+ checks\.x\.evry: unknown key "evry"/);
  });
});
