/**
 * The HTTP providers (webhook, slack, discord, ntfy) against real receivers on 127.0.0.1: the exact
 * request each sends, and one classification suite all of them pass.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../test/helpers/net.ts";
import type { Delivery, Outgoing, Provider } from "../provider.ts";
import { discordColor, discordProvider } from "./discord.ts";
import { clip } from "./http.ts";
import { encodeHeader, ntfyProvider } from "./ntfy.ts";
import { slackProvider } from "./slack.ts";
import { webhookProvider } from "./webhook.ts";

interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const open: http.Server[] = [];

afterEach(async () => {
  await Promise.all(
    open.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

/** A receiver recording every request; `reply` answers it, or "hang" never does. */
async function receiver(reply: Reply | "hang" = { status: 200, body: "ok" }) {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      if (reply === "hang") return;
      res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    });
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const at = Date.UTC(2026, 0, 2, 3, 4, 5);
function outgoing(over: Partial<Outgoing["message"]> = {}): Outgoing {
  const message = {
    id: "n-1",
    kind: "incident.opened",
    target: "web-1",
    title: "web-1 is down",
    text: "GET /health: connection refused",
    incident_id: "inc-7",
    at,
    ...over,
  };
  return { id: message.id, message };
}
const opts = { timeoutMs: 2_000, now: at };

/** Each provider with a config pointing at `base` (a receiver's URL) and the path it posts to. */
const cases: {
  name: string;
  provider: Provider<never>;
  config: (base: string) => unknown;
  path: string;
}[] = [
  {
    name: "webhook",
    provider: webhookProvider,
    config: (u) => ({ url: `${u}/hook`, headers: {} }),
    path: "/hook",
  },
  {
    name: "slack",
    provider: slackProvider,
    config: (u) => ({ webhook_url: `${u}/services/T/B/x` }),
    path: "/services/T/B/x",
  },
  {
    name: "discord",
    provider: discordProvider,
    config: (u) => ({ webhook_url: `${u}/api/webhooks/1/t` }),
    path: "/api/webhooks/1/t",
  },
  {
    name: "ntfy",
    provider: ntfyProvider,
    config: (u) => ({ url: u, topic: "alerts" }),
    path: "/alerts",
  },
];

describe.each(cases)("$name: how the outcome is classified", ({ provider, config, path }) => {
  const send = (base: string, timeoutMs = opts.timeoutMs): Promise<Delivery> =>
    provider.deliver(config(base) as never, outgoing(), { ...opts, timeoutMs });

  it("a 2xx is delivered, as one POST to the configured path", async () => {
    const r = await receiver({ status: 204 });
    expect(await send(r.url)).toEqual({ ok: true });
    expect(r.hits.map((h) => [h.method, h.path])).toEqual([["POST", path]]);
  });

  it("a 404 is permanent, with the receiver's reason", async () => {
    const r = await receiver({ status: 404, headers: { "content-type": "text/plain" }, body: "no_service" });
    expect(await send(r.url)).toEqual({ ok: false, error: "HTTP 404: no_service", permanent: true });
  });

  it("a 429 is transient and honours Retry-After", async () => {
    const r = await receiver({ status: 429, headers: { "retry-after": "7" } });
    expect(await send(r.url)).toEqual({
      ok: false,
      error: "HTTP 429",
      permanent: false,
      retryAfterMs: 7_000,
    });
  });

  it("a 503 is transient", async () => {
    const r = await receiver({
      status: 503,
      headers: { "content-type": "text/html" },
      body: "<html>down</html>",
    });
    expect(await send(r.url)).toEqual({ ok: false, error: "HTTP 503", permanent: false });
  });

  it("a redirect is not followed and is permanent", async () => {
    const r = await receiver({ status: 302, headers: { location: "/elsewhere" } });
    const d = await send(r.url);
    expect(d).toMatchObject({ ok: false, permanent: true });
    expect(r.hits).toHaveLength(1);
  });

  it("a receiver that never answers is a transient failure at the timeout", async () => {
    const r = await receiver("hang");
    expect(await send(r.url, 300)).toEqual({ ok: false, error: "no answer within 300 ms", permanent: false });
  });

  it("a refused connection is transient", async () => {
    const port = await freePort();
    expect(await send(`http://127.0.0.1:${port}`)).toEqual({
      ok: false,
      error: "ECONNREFUSED",
      permanent: false,
    });
  });
});

describe("slack", () => {
  const deliver = async (m: Partial<Outgoing["message"]> = {}) => {
    const r = await receiver();
    const d = await slackProvider.deliver({ webhook_url: `${r.url}/services/T/B/x` }, outgoing(m), opts);
    expect(d).toEqual({ ok: true });
    const hit = r.hits[0]!;
    expect(hit.headers["content-type"]).toBe("application/json");
    return JSON.parse(hit.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
  };

  it("sends text and blocks: a header, the text as mrkdwn, a context line", async () => {
    expect(await deliver()).toEqual({
      text: "web-1 is down: GET /health: connection refused",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "web-1 is down", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "GET /health: connection refused" } },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "*kind:* incident.opened" },
            { type: "mrkdwn", text: "*target:* web-1" },
            { type: "mrkdwn", text: "*incident:* inc-7" },
          ],
        },
      ],
    });
  });

  it("escapes &, < and > so a log line cannot ping <!channel>", async () => {
    const body = await deliver({ text: "<!channel> a & b > c" });
    expect(body.blocks[1]?.text?.text).toBe("&lt;!channel&gt; a &amp; b &gt; c");
    expect(body.text).toBe("web-1 is down: &lt;!channel&gt; a &amp; b &gt; c");
  });

  it("keeps within Block Kit's limits, never cutting an entity in half", async () => {
    const body = await deliver({
      title: "t".repeat(400),
      text: "&".repeat(2_000),
      target: null,
      incident_id: undefined,
    });
    const header = body.blocks[0]?.text?.text ?? "";
    const section = body.blocks[1]?.text?.text ?? "";
    expect([...header]).toHaveLength(150);
    expect(header.endsWith("…")).toBe(true);
    expect(section.length).toBeLessThanOrEqual(3_000);
    expect(section).toMatch(/^(&amp;)+…$/);
    expect(body.blocks[2]).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "*kind:* incident.opened" }],
    });
  });

  it("leaves out the section when there is no text", async () => {
    const body = await deliver({ text: "" });
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "context"]);
  });
});

describe("discord", () => {
  it("sends one embed and allows no mentions", async () => {
    const r = await receiver({ status: 204 });
    const d = await discordProvider.deliver(
      { webhook_url: `${r.url}/api/webhooks/1/t` },
      outgoing({ text: "@everyone look" }),
      opts,
    );
    expect(d).toEqual({ ok: true });
    expect(JSON.parse(r.hits[0]!.body)).toEqual({
      embeds: [
        {
          title: "web-1 is down",
          description: "@everyone look",
          color: 0xd32f2f,
          timestamp: "2026-01-02T03:04:05.000Z",
          footer: { text: "web-1 · incident.opened · inc-7" },
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it("colours by kind and clips to Discord's limits", async () => {
    expect(["incident.opened", "incident.escalated", "incident.storm"].map(discordColor)).toEqual([
      0xd32f2f, 0xd32f2f, 0xd32f2f,
    ]);
    expect(discordColor("incident.resolved")).toBe(0x2e7d32);
    expect(discordColor("approval.requested")).toBe(0xffa000);
    const r = await receiver({ status: 204 });
    await discordProvider.deliver(
      { webhook_url: r.url },
      outgoing({ title: "x".repeat(300), text: "y".repeat(5_000) }),
      opts,
    );
    const embed = (JSON.parse(r.hits[0]!.body) as { embeds: { title: string; description: string }[] })
      .embeds[0]!;
    expect([embed.title.length, embed.description.length]).toEqual([256, 4_096]);
  });

  it("a 429 with only a JSON retry_after (fractional seconds) sets retryAfterMs", async () => {
    const r = await receiver({
      status: 429,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "You are being rate limited.", retry_after: 1.234, global: false }),
    });
    const d = await discordProvider.deliver({ webhook_url: r.url }, outgoing(), opts);
    expect(d).toMatchObject({ ok: false, permanent: false, retryAfterMs: 1_234 });
  });

  it("the Retry-After header wins over the JSON body", async () => {
    const r = await receiver({ status: 429, headers: { "retry-after": "3" }, body: '{"retry_after": 9}' });
    expect(await discordProvider.deliver({ webhook_url: r.url }, outgoing(), opts)).toMatchObject({
      retryAfterMs: 3_000,
    });
  });
});

describe("ntfy", () => {
  it("posts the text as a plain body with Title, Priority, Tags and the token", async () => {
    const r = await receiver();
    const d = await ntfyProvider.deliver(
      { url: `${r.url}/`, topic: "alerts", token: "tk_abc" },
      outgoing(),
      opts,
    );
    expect(d).toEqual({ ok: true });
    const hit = r.hits[0]!;
    expect([hit.method, hit.path, hit.body]).toEqual(["POST", "/alerts", "GET /health: connection refused"]);
    expect(hit.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      title: "web-1 is down",
      priority: "4",
      tags: "rotating_light",
      authorization: "Bearer tk_abc",
    });
  });

  it.each([
    ["incident.escalated", "5", "rotating_light"],
    ["incident.storm", "5", "rotating_light"],
    ["approval.requested", "5", "raising_hand"],
    ["incident.resolved", "2", "white_check_mark"],
    ["action.finished", "3", "warning"],
  ])("%s has priority %s and tag %s, and no token means no Authorization", async (kind, priority, tags) => {
    const r = await receiver();
    await ntfyProvider.deliver({ url: `${r.url}/base`, topic: "ops" }, outgoing({ kind }), opts);
    expect(r.hits[0]!.path).toBe("/base/ops");
    expect(r.hits[0]!.headers).toMatchObject({ priority, tags });
    expect(r.hits[0]!.headers.authorization).toBeUndefined();
  });

  it("sends a non-ASCII title as an RFC 2047 encoded word instead of throwing", async () => {
    const r = await receiver();
    const title = "db → replica lag 🔥\r\nInjected: yes";
    expect(await ntfyProvider.deliver({ url: r.url, topic: "alerts" }, outgoing({ title }), opts)).toEqual({
      ok: true,
    });
    const sent = String(r.hits[0]!.headers.title);
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(sent);
    expect(Buffer.from(m![1]!, "base64").toString("utf8")).toBe("db → replica lag 🔥 Injected: yes");
    expect(r.hits[0]!.headers.injected).toBeUndefined();
    expect(encodeHeader("plain =?x?= text")).toMatch(/^=\?UTF-8\?B\?/);
  });

  it("keeps the body under ntfy's 4096-byte message limit", async () => {
    const r = await receiver();
    await ntfyProvider.deliver({ url: r.url, topic: "alerts" }, outgoing({ text: "é".repeat(3_000) }), opts);
    const body = r.hits[0]!.body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4_096);
    expect(body.endsWith("é…")).toBe(true);
  });
});

describe("clip", () => {
  it("never splits an emoji", () => {
    expect(clip("ab🔥🔥", 3)).toBe("ab…");
    expect(clip("🔥🔥🔥", 3)).toBe("🔥🔥🔥");
  });
});
