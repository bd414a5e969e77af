/**
 * Every route × every role × no token × a wrong token: the role table of DESIGN, enforced. Walks the
 * same `routes` table the server registers, so a new route cannot skip this test.
 */
import { describe, expect, it } from "vitest";
import { silentLogger } from "../core/log.ts";
import { FailureLimiter, roleAtLeast, roles, TokenRegistry, type Role } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { createApi, routes } from "./server.ts";
import { serveApi } from "../../test/helpers/api.ts";

const tokenOf = (role: Role) => `token-of-${role}-0123456789`;

const deps = {
  tokens: new TokenRegistry(roles.map((role) => ({ name: role, role, token: tokenOf(role) }))),
  limiter: new FailureLimiter({ limit: 1_000_000 }),
  log: silentLogger(),
  health: async () => ({
    status: "ok",
    version: "t",
    mode: "auto",
    paused: false,
    store: "x",
    scheduler_lag_ms: 0,
    event_loop_lag_ms: 0,
  }),
  reload: async () => ({ ok: true }),
  audit: {
    page: async () => [],
    tail: async () => [],
    verify: async () => ({ ok: true, count: 0, last_seq: 0 }),
    pages: async function* () {},
  },
  actions: {
    list: () => [],
    request: async () => ({
      kind: "queued",
      approval: { id: "a", status: "pending", required: 1, expires_at: 0 },
    }),
    getRun: async () => ({ id: "r" }),
    runs: async () => [],
  },
  history: {
    overview: async () => ({ generated_at: 0, targets: [] }),
    history: async () => ({ target: "x" }),
  },
  approvals: {
    list: async () => [],
    get: async () => ({ id: "a" }),
    decide: async () => ({ id: "a" }),
  },
  guard: {
    incidents: async () => [],
    incident: async () => ({ id: "i" }),
    stats: async () => [],
    pause: async () => ({ paused: true }),
    resume: async () => ({ paused: false }),
    silences: async () => [],
    silence: async () => ({ id: "s" }),
    unsilence: async () => undefined,
    pauseState: () => ({ paused: false, by: null, reason: null, since: null }),
  },
  events: { open: () => new ReadableStream(), count: 0 },
  jobs: { list: () => [], runNow: () => ({ name: "x" }) },
  notify: {
    test: async () => ({ channel: "x", type: "webhook", ok: true, duration_ms: 0 }),
  },
  governance: {
    check: async () => ({ ok: true, missing: [], empty: [], sections: {} }),
  },
  metrics: {
    scrape: async () => ({ contentType: "text/plain; version=0.0.4", body: "" }),
    authRequired: () => false,
  },
  targets: {
    list: () => [],
    get: () => ({
      name: "x",
      kind: "check",
      state: "up",
      since: 0,
      restarts: 0,
      last_result: null,
      incident_id: null,
    }),
    act: async () => ({
      name: "x",
      kind: "check",
      state: "up",
      since: 0,
      restarts: 0,
      last_result: null,
      incident_id: null,
    }),
    logs: async () => [],
    heartbeat: async () => undefined,
  },
} as unknown as ApiDeps;

const app = serveApi(createApi(deps));
const call = (method: string, path: string, token?: string) =>
  app.request(path.replace(/:\w+/g, "x"), {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

describe("route roles", () => {
  for (const route of routes) {
    if (route.role === "none") {
      it(`${route.method} ${route.path} needs no token`, async () => {
        const res = await call(route.method, route.path);
        expect([401, 403]).not.toContain(res.status);
      });
      continue;
    }
    it(`${route.method} ${route.path} needs ${route.role}`, async () => {
      expect((await call(route.method, route.path)).status).toBe(401);
      expect((await call(route.method, route.path, "not-a-known-token-xxxx")).status).toBe(401);
      for (const role of roles) {
        const res = await call(route.method, route.path, tokenOf(role));
        if (roleAtLeast(role, route.role))
          expect([401, 403], `${role} should pass`).not.toContain(res.status);
        else expect(res.status, `${role} should be refused`).toBe(403);
      }
    });
  }

  it("agent never reaches operator routes (it proposes, never decides)", () => {
    expect(roleAtLeast("agent", "operator")).toBe(false);
  });
});

describe("every route, whatever the failure limiter holds", () => {
  // One failure locks the address out: everything after it runs under a lockout.
  const locked = serveApi(createApi({ ...deps, limiter: new FailureLimiter({ limit: 1 }) }));
  const send = (method: string, path: string, headers: Record<string, string>) =>
    locked.request(path.replace(/:\w+/g, "x"), { method, headers });

  it("a wrong token is refused with 429 once the address is locked out", async () => {
    await send("GET", "/api/targets", { authorization: "Bearer not-a-known-token-xxxx" });
    const res = await send("GET", "/api/targets", { authorization: "Bearer not-a-known-token-xxxx" });
    expect(res.status).toBe(429);
  });

  for (const route of routes) {
    it(`${route.method} ${route.path} serves a valid token during a lockout, and refuses a foreign Host`, async () => {
      await send("GET", "/api/targets", { authorization: "Bearer not-a-known-token-xxxx" });
      const auth = { authorization: `Bearer ${tokenOf("admin")}` };
      expect([401, 403, 429]).not.toContain((await send(route.method, route.path, auth)).status);
      const foreign = await send(route.method, route.path, { ...auth, host: "evil.example" });
      expect(foreign.status).toBe(421);
    });
  }
});
