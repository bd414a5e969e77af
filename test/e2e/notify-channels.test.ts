/**
 * Every provider through the real agent: one failing check routed to email (a real SMTP server),
 * Slack, Discord and ntfy (real HTTP receivers), all on 127.0.0.1. The providers' own tests cover
 * each one's edge cases; this proves config → route → outbox → provider for each.
 */
import http from "node:http";
import type net from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const hits: Hit[] = [];
const mails: { from: string; to: string[]; raw: string }[] = [];
let httpServer: http.Server;
let smtp: SMTPServer;
let agent: RunningAgent;

beforeAll(async () => {
  httpServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      hits.push({ path: req.url ?? "", headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const web = (httpServer.address() as net.AddressInfo).port;
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === "vigil" && auth.password === "mail-pass") return cb(null, { user: "vigil" });
      cb(new Error("bad credentials"));
    },
    onData(stream, session, cb) {
      let raw = "";
      stream.on("data", (d: Buffer) => (raw += d.toString()));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  const mail = (smtp.server.address() as net.AddressInfo).port;
  agent = await startAgent(
    `agent: { listen: "127.0.0.1:0" }
checks:
  nope: { command: { run: ["false"] }, every: 200ms, fail_after: 1 }
notify:
  channels:
    mail: { email: { smtp: "smtp://vigil:\${SMTP_PASS}@127.0.0.1:${mail}", from: vigil@example.com, to: [ops@example.com] } }
    chat: { slack: { webhook_url: "http://127.0.0.1:${web}/slack" } }
    discord: { discord: { webhook_url: "http://127.0.0.1:${web}/discord" } }
    phone: { ntfy: { url: "http://127.0.0.1:${web}", topic: vigil-ops, token: ntfy-token } }
  routes: [{ to: [mail, chat, discord, phone] }]
  group_wait: 300ms
`,
    { env: { SMTP_PASS: "mail-pass" } },
  );
});

afterAll(async () => {
  expect(await agent?.stop()).toMatchObject({ code: 0 });
  await new Promise<void>((r) => smtp?.close(() => r()));
  await new Promise<void>((r) => httpServer?.close(() => r()));
});

describe("every provider through the agent", () => {
  it("one failing check reaches email, Slack, Discord and ntfy", async () => {
    await expect.poll(() => mails.length + hits.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    const at = (p: string) => hits.find((h) => h.path === p);

    expect(mails[0]).toMatchObject({ from: "vigil@example.com", to: ["ops@example.com"] });
    expect(mails[0]!.raw).toMatch(/^Subject: \[vigil\] nope needs a person \(2 updates\)/m);
    expect(mails[0]!.raw).toMatch(/^X-Vigil-Notification-Id: [0-9a-f-]{36}/im);

    const slack = JSON.parse(at("/slack")!.body) as { blocks: { type: string; text?: { text: string } }[] };
    expect(slack.blocks[0]).toMatchObject({
      type: "header",
      text: { text: "nope needs a person (2 updates)" },
    });

    const discord = JSON.parse(at("/discord")!.body) as {
      embeds: { title: string }[];
      allowed_mentions: unknown;
    };
    expect(discord.embeds[0]!.title).toBe("nope needs a person (2 updates)");
    expect(discord.allowed_mentions).toEqual({ parse: [] });

    const ntfy = at("/vigil-ops")!;
    expect(ntfy.headers.authorization).toBe("Bearer ntfy-token");
    expect(ntfy.headers.priority).toBe("5");
    expect(ntfy.body).toMatch(/^• nope is down \(condition_failed\)/);

    // The SMTP password came from the environment: it is in no log line.
    expect(agent.output()).not.toContain("mail-pass");
  });
});
