/** The http probe against a real server on 127.0.0.1. */
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/helpers/net.ts";
import { runProbe as run } from "../../test/helpers/probe.ts";

let server: http.Server;
let port: number;
const hanging = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/ok") return res.end(JSON.stringify({ status: "healthy", items: [1, 2] }));
    if (req.url === "/down") {
      res.writeHead(503);
      return res.end("down");
    }
    if (req.url === "/moved") {
      res.writeHead(302, { location: "/ok" });
      return res.end();
    }
    if (req.url === "/echo" && req.method === "POST") {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => res.end(JSON.stringify({ got: body, auth: req.headers.authorization ?? null })));
      return;
    }
    hanging.add(res); // /hang: never answers
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((r) => server.close(r));
});

describe("http", () => {
  it("reads status, body and response time", async () => {
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/ok` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      STATUS: 200,
      CONNECTED: true,
      BODY: '{"status":"healthy","items":[1,2]}',
    });
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
    expect(outcome.values.IP).toBe("127.0.0.1");
    // No TLS, no certificate: 0, as Gatus reads it.
    expect(outcome.values.CERT_EXPIRES_IN).toBe(0);
  });

  it("a 503 is a reading, not an error: the conditions judge it", async () => {
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/down` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(503);
  });

  it("follows redirects unless told not to", async () => {
    expect((await run("http", { url: `http://127.0.0.1:${port}/moved` })).outcome.values.STATUS).toBe(200);
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/moved`, follow_redirects: false });
    expect(outcome.values.STATUS).toBe(302);
  });

  it("sends method, headers and body", async () => {
    const { outcome } = await run("http", {
      url: `http://127.0.0.1:${port}/echo`,
      method: "POST",
      headers: { authorization: "Bearer x" },
      body: "ping",
    });
    expect(JSON.parse(outcome.values.BODY as string)).toEqual({ got: "ping", auth: "Bearer x" });
  });

  it("a refused connection is classified", async () => {
    const closed = await freePort();
    const { outcome } = await run("http", { url: `http://127.0.0.1:${closed}/` });
    expect(outcome.error?.class).toBe("connection_refused");
    expect(outcome.values.CONNECTED).toBe(false);
  });

  it("a server that never answers is a timeout, returned promptly when the signal aborts", async () => {
    const { outcome, ms } = await run(
      "http",
      { url: `http://127.0.0.1:${port}/hang` },
      { abortAfterMs: 150 },
    );
    expect(outcome.error?.class).toBe("timeout");
    expect(ms).toBeLessThan(1_500);
  });
});
