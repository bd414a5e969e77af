import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";
import type { TargetView } from "../../../targets/targets.ts";

let server: http.Server;
let base = "";
let port = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/health") return void res.writeHead(200).end('{"status":"healthy"}');
    if (url === "/missing") return void res.writeHead(404).end("not found");
    if (url === "/status") return void res.writeHead(200).end('{"status":"ok","count":3}');
    if (url === "/moved") return void res.writeHead(301, { location: "/health" }).end();
    if (url === "/same") return void res.writeHead(302, { location: "/health" }).end();
    if (url === "/away") return void res.writeHead(302, { location: "http://10.255.0.1/health" }).end();
    if (url === "/slow") return; // never answers
    if (url === "/big")
      return void res
        .writeHead(200)
        .end(Buffer.concat([Buffer.alloc(2 * 1024 * 1024, "z"), Buffer.from("tail")]));
    res.writeHead(500).end("boom");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as net.AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const api: TargetView = {
  name: "api",
  kind: "service",
  state: "up",
  since: 0,
  restarts: 0,
  last_result: null,
  incident_id: null,
  agent: "web-1",
};
const sources = claimSources({ targets: () => [api], serviceUrl: (n) => (n === "api" ? base : undefined) });
const check = (claim: string, timeoutMs = 3_000) => checkClaim(claim, sources, { timeoutMs });

describe("http claims, against a real server", () => {
  it("answers a status, a text, an answer at all", async () => {
    const yes = [
      `${base}/health returns 200`,
      `GET ${base}/health returns HTTP 200 OK`,
      `${base}/missing returns 404`,
      `${base}/health is up`,
      `${base}/health contains "healthy"`,
      `${base}/health does not contain "error"`,
      `${base}/health responds within 2000 ms`,
      `http://localhost:${port}/health returns 200`,
    ];
    for (const c of yes) expect((await check(c)).verdict, c).toBe("TRUE");
    const no = [
      `${base}/missing returns 200`,
      `${base}/health contains "unhealthy"`,
      `${base}/oops is up`,
      `${base}/health is down`,
    ];
    for (const c of no) expect((await check(c)).verdict, c).toBe("FALSE");
    const v = await check(`${base}/missing returns 200`);
    expect(v.checks[0]).toMatchObject({ what: `GET ${base}/missing`, expected: "status 200", ok: false });
    expect(v.checks[0]!.observed).toMatch(/^status 404, \d+ ms$/);
  });

  it("reads the answer said first, an arrow, a redirect's status and a JSON field", async () => {
    const yes = [
      `HTTP 200 from ${base}/health`,
      `got a 404 Not Found from ${base}/missing`,
      `curl -s ${base}/health → 200`,
      `curl -sI ${base}/missing -> 404`,
      `${base}/status returns 200 with status ok`,
      `${base}/status returns 200 with "count": 3`,
      `${base}/moved redirects with 301`,
      `${base}/same redirects with a 302`,
    ];
    for (const c of yes) expect((await check(c)).verdict, c).toBe("TRUE");
    const no = [
      `HTTP 200 from ${base}/missing`,
      `curl -s ${base}/boom → 200`,
      `${base}/status returns 200 with status degraded`,
      `${base}/missing returns 200 with status ok`,
      `${base}/same redirects with 301`,
      `${base}/health redirects with 301`,
    ];
    for (const c of no) expect((await check(c)).verdict, c).toBe("FALSE");
    // A field the body lacks, or a body that is no JSON object, says nothing either way.
    for (const c of [
      `${base}/status returns 200 with no errors`,
      `${base}/health returns 200 with state ok`,
      `${base}/missing returns 404 with status ok`,
    ])
      expect((await check(c)).verdict, c).toBe("UNVERIFIABLE");
    const v = await check(`${base}/status returns 200 with status ok`);
    expect(v.checks.map((c) => [c.expected, c.observed.replace(/\d+ ms/, "N ms")])).toEqual([
      ["status 200", "status 200, N ms"],
      ["status = ok in the JSON body", "status = ok"],
    ]);
    expect((await check("HTTP 200 from http://10.255.0.1/health")).verdict).toBe("UNVERIFIABLE");
    expect((await check(`got 500 errors from ${base}/health`)).verdict).toBe("UNVERIFIABLE");
  });

  it("follows a redirect on the same host only", async () => {
    expect((await check(`${base}/same returns 200`)).verdict).toBe("TRUE");
    const away = await check(`${base}/away returns 200`);
    expect(away.verdict).toBe("FALSE");
    expect(away.checks[0]!.observed).toContain("redirects to 10.255.0.1, not followed");
  });

  it("a service's own path: 'api is healthy and returns 200 on /health'", async () => {
    const v = await check("api is healthy and returns 200 on /health");
    expect(v.verdict).toBe("TRUE");
    expect(v.checks.map((c) => c.what)).toEqual(["service api", `GET ${base}/health`]);
    expect((await check("api returns 200 on /missing")).verdict).toBe("FALSE");
  });

  it("is UNVERIFIABLE for a host not allowed, a slow answer, a body past its limit, a closed port's 'down' is TRUE", async () => {
    const off = await check("http://10.255.0.1/health returns 200");
    expect(off.verdict).toBe("UNVERIFIABLE");
    expect(off.evidence).toContain("not in governance.verify.hosts");
    const started = Date.now();
    const slow = await check(`${base}/slow returns 200`, 300);
    expect(slow.verdict).toBe("UNVERIFIABLE");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await check(`${base}/big contains "tail"`)).verdict).toBe("UNVERIFIABLE");
    expect((await check(`${base}/big contains "zzzz"`)).verdict).toBe("TRUE");
    expect((await check("http://user:pw@127.0.0.1:1/ returns 200")).verdict).toBe("UNVERIFIABLE");
    const closed = `http://127.0.0.1:1/health`;
    expect((await check(`${closed} is down`)).verdict).toBe("TRUE");
    expect((await check(`${closed} returns 200`)).verdict).toBe("FALSE");
  });
});
