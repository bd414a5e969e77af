/**
 * Access under attack, against the real agent: the failure limiter (never in a valid credential's way,
 * no reset on success, every token-checking route, one key for all of loopback, counted and logged),
 * sessions and event streams capped per token, and the Host / Origin fence against DNS rebinding.
 */
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";

const viewerToken = "viewer-token-0123456789";
const operatorToken = "operator-token-0123456789";
const heartbeatToken = "heartbeat-token-0123456789";
const config = (agentExtra = "") => `agent:
  name: access
  listen: 127.0.0.1:0
${agentExtra}auth:
  tokens:
    - { name: vera, role: viewer, token: ${viewerToken} }
    - { name: olga, role: operator, token: ${operatorToken} }
checks:
  nightly: { heartbeat: { within: 1h, token: ${heartbeatToken} } }
`;

let agent: RunningAgent | undefined;
const open = new Set<http.ClientRequest>();
afterEach(async () => {
  for (const req of open) req.destroy();
  open.clear();
  await stopCleanly(agent);
  agent = undefined;
});

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, so the Host header and the local address are exactly what the test says. */
function send(
  p: string,
  opts: {
    method?: string;
    token?: string;
    headers?: Record<string, string>;
    body?: string;
    from?: string;
    /** Resolve at the headers and keep the response open (event streams). */
    keep?: boolean;
  } = {},
): Promise<Sent> {
  const url = new URL(agent!.url + p);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] ??= "application/json";
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: p,
        method: opts.method ?? "GET",
        headers,
        ...(opts.from ? { localAddress: opts.from } : {}),
      },
      (res) => {
        if (opts.keep && res.statusCode === 200) {
          open.add(req);
          resolve({ status: 200, headers: res.headers, body: "" });
          return;
        }
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${p} in 10 s`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

const code = (r: Sent) => (JSON.parse(r.body) as { error?: { code: string } }).error?.code;
const guess = (i: number, from?: string) =>
  send("/api/targets", { token: `guess-${i}-wrong-token-xyz`, ...(from ? { from } : {}) });

describe("the failure limiter", () => {
  it("never refuses a valid credential: after a lockout the operator, the kill switch and a login still work", async () => {
    agent = await startAgent(config());
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await guess(i)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(5).fill(429));
    const locked = await guess(99);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);

    expect((await send("/api/targets", { token: operatorToken })).status).toBe(200);
    expect((await send("/api/targets", { token: viewerToken })).status).toBe(200);
    const cli = await runCli(["pause", "--reason", "under attack"], {
      env: { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token },
    });
    expect(cli.stderr).not.toMatch(/retry in/);
    expect(cli.code).toBe(0);
    expect(JSON.parse((await send("/health")).body)).toMatchObject({ paused: true });
    const loginOk = await send("/api/session", {
      method: "POST",
      body: JSON.stringify({ token: operatorToken }),
    });
    expect(loginOk.status).toBe(200);
    const beat = await send("/api/heartbeat/nightly", { method: "POST", token: heartbeatToken });
    expect(beat.status).toBe(200);
    // Still locked for what fails.
    expect((await guess(100)).status).toBe(429);
  });

  it("does not reset the count on a success: 9 guesses, one valid request, then the limit still holds", async () => {
    agent = await startAgent(config());
    for (let i = 0; i < 9; i++) expect((await guess(i)).status).toBe(401);
    expect((await send("/api/targets", { token: viewerToken })).status).toBe(200);
    expect((await guess(9)).status).toBe(401);
    expect((await guess(10)).status).toBe(429);
  });

  it("limits POST /api/heartbeat/{name} like every other route, and shares the count with them", async () => {
    agent = await startAgent(config());
    const beat = (token: string) => send("/api/heartbeat/nightly", { method: "POST", token });
    const first = await beat("not-the-heartbeat-token-000");
    expect(first.status).toBe(401);
    expect(code(first)).toBe("UNAUTHENTICATED");
    for (let i = 1; i < 10; i++) expect((await beat(`not-the-heartbeat-token-${i}`)).status).toBe(401);
    const locked = await beat("not-the-heartbeat-token-10");
    expect(locked.status).toBe(429);
    expect(code(locked)).toBe("RATE_LIMITED");
    expect((await guess(11)).status).toBe(429);
    // A known token without the role is refused for its role, not counted as a guess.
    expect((await beat(viewerToken)).status).toBe(403);
    expect((await beat(heartbeatToken)).status).toBe(200);
    expect((await beat(operatorToken)).status).toBe(200);
  });

  it("counts every address of 127.0.0.0/8 as one", async () => {
    agent = await startAgent(config());
    for (let i = 2; i <= 11; i++) expect((await guess(i, `127.0.0.${i}`)).status).toBe(401);
    expect((await guess(12, "127.0.0.12")).status).toBe(429);
    expect((await guess(13, "127.0.0.1")).status).toBe(429);
  });

  it("counts failures, failed logins and lockouts in /metrics, and logs one line per lockout without the token", async () => {
    agent = await startAgent(config());
    for (let i = 0; i < 25; i++) await guess(i);
    const login = await send("/api/session", {
      method: "POST",
      body: JSON.stringify({ token: "guess-login-wrong-token-xyz" }),
    });
    expect(login.status).toBe(429);
    const metrics = (await send("/metrics")).body;
    expect(metrics).toMatch(/^vigil_auth_failures_total\{reason="unknown_token"\} 25$/m);
    expect(metrics).toMatch(/^vigil_auth_failures_total\{reason="login"\} 1$/m);
    expect(metrics).toMatch(/^vigil_auth_lockouts_total\{scope="address"\} 1$/m);
    expect(metrics).toMatch(/^vigil_auth_rate_limited_total 16$/m);
    const deadline = Date.now() + 5_000;
    while (!agent.output().includes("authentication lockout") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 25));
    const lines = agent.output().split("\n");
    expect(lines.filter((l) => l.includes("authentication lockout"))).toHaveLength(1);
    expect(agent.output()).not.toContain("wrong-token-xyz");
  });
});

describe("sessions and event streams, per token", () => {
  it("10,001 viewer logins do not log the operator out", async () => {
    agent = await startAgent(config());
    const body = (token: string) => ({ method: "POST", body: JSON.stringify({ token }) });
    const olga = await send("/api/session", body(operatorToken));
    const cookie = String(olga.headers["set-cookie"]![0]).split(";")[0]!;
    const total = 10_001;
    let done = 0;
    const worker = async () => {
      while (done < total) {
        done++;
        expect((await send("/api/session", body(viewerToken))).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const me = await send("/api/session", { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ name: "olga" });
  }, 90_000);

  it("one viewer cannot take every event stream: a per-token cap below the global one", async () => {
    agent = await startAgent(config());
    const stream = (token: string) => send("/api/events", { token, keep: true });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await stream(viewerToken)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
    expect((await stream(operatorToken)).status).toBe(200);
  });
});

describe("Host and Origin", () => {
  it("refuses a Host that is not the agent's on every route, /metrics, /health and heartbeats included", async () => {
    agent = await startAgent(config());
    const evil = { host: "evil.example" };
    for (const [p, method, token] of [
      ["/health", "GET", undefined],
      ["/metrics", "GET", undefined],
      ["/api/targets", "GET", operatorToken],
      ["/api/heartbeat/nightly", "POST", heartbeatToken],
      ["/", "GET", undefined],
    ] as const) {
      const res = await send(p, { method, headers: evil, ...(token ? { token } : {}) });
      expect(res.status, `${method} ${p}`).toBe(421);
      expect(code(res)).toBe("HOST_NOT_ALLOWED");
    }
    const port = new URL(agent.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await send("/health", { headers: { host } })).status, host).toBe(200);
    }
    expect((await send("/health", { headers: { host: "127.0.0.1:1" } })).status).toBe(421);
  });

  it("accepts the names in agent.allowed_hosts", async () => {
    agent = await startAgent(config("  allowed_hosts: [vigil.internal]\n"));
    const port = new URL(agent.url).port;
    expect((await send("/health", { headers: { host: `vigil.internal:${port}` } })).status).toBe(200);
    expect((await send("/health", { headers: { host: "vigil.internal" } })).status).toBe(200);
    expect((await send("/health", { headers: { host: "other.internal" } })).status).toBe(421);
  });

  it("refuses a state-changing request from another Origin", async () => {
    agent = await startAgent(config());
    const pause = (origin: string) =>
      send("/api/pause", {
        method: "POST",
        token: operatorToken,
        headers: { origin },
        body: JSON.stringify({ reason: "origin test" }),
      });
    const evil = await pause("http://evil.example");
    expect(evil.status).toBe(403);
    expect(code(evil)).toBe("ORIGIN_NOT_ALLOWED");
    expect((await pause("null")).status).toBe(403);
    expect(JSON.parse((await send("/health")).body)).toMatchObject({ paused: false });
    expect((await pause(agent.url)).status).toBe(200);
  });

  it("/health names the store's path only to a token holder", async () => {
    agent = await startAgent(config());
    const anonymous = JSON.parse((await send("/health")).body) as { store: string };
    expect(anonymous.store).toBe("sqlite");
    expect(JSON.stringify(anonymous)).not.toContain(agent.dir);
    const viewer = JSON.parse((await send("/health", { token: viewerToken })).body) as { store: string };
    expect(viewer.store).toContain(agent.dir);
    const res = await api(agent, "/health");
    expect(res.status).toBe(200);
  });
});
