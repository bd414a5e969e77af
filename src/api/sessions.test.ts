/**
 * Dashboard sessions: the store on its own, then the whole login through the API (cookie attributes,
 * CSRF on writes, bearer clients untouched, failed logins limited, the token never logged).
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../core/log.ts";
import { Redactor } from "../core/redact.ts";
import { FailureLimiter, TokenRegistry } from "./auth.ts";
import type { ApiDeps } from "./context.ts";
import { createApi } from "./server.ts";
import { csrfMatches, SessionStore, type SessionStoreOptions } from "./sessions.ts";
import { openStore } from "../store/open.ts";
import { SessionRows } from "../store/session-store.ts";
import type { Store } from "../store/store.ts";
import { serveApi } from "../../test/helpers/api.ts";
import { tempDir } from "../../test/helpers/tmp.ts";

const tokens = {
  vera: "viewer-token-0123456789",
  olga: "operator-token-0123456789",
};
const registry = () =>
  new TokenRegistry([
    { name: "vera", role: "viewer", token: tokens.vera },
    { name: "olga", role: "operator", token: tokens.olga },
  ]);

/** A real SQLite store in a temp dir per test, closed after it. */
const stores: Store[] = [];
afterEach(async () => {
  // One test closes its store itself to see a failing store.
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
});
async function table(): Promise<{ rows: SessionRows; store: Store }> {
  const store = await openStore({ store: "sqlite", dataDir: tempDir() });
  stores.push(store);
  return { rows: new SessionRows(store.db), store };
}
const sessionsWith = async (opts: Omit<SessionStoreOptions, "table"> & { table?: SessionRows }) => {
  const rows = opts.table ?? (await table()).rows;
  return { sessions: new SessionStore({ ...opts, table: rows }), rows };
};

describe("SessionStore", () => {
  it("opens a session only for a known token and finds it by its id until it expires", async () => {
    let now = 1_000;
    const { sessions, rows } = await sessionsWith({ tokens: registry(), ttlMs: 60_000, now: () => now });
    expect(await sessions.open("nope-not-a-token")).toBeUndefined();
    const s = (await sessions.open(tokens.olga))!;
    expect(s.principal).toEqual({ name: "olga", role: "operator" });
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.csrf).not.toBe(s.id);
    expect(s.expiresAt).toBe(61_000);
    expect(await sessions.find(s.id)).toMatchObject({ principal: { name: "olga" }, csrf: s.csrf });
    expect(await sessions.find("another-id")).toBeUndefined();
    now = 61_000;
    expect(await sessions.find(s.id)).toBeUndefined();
    // The next login sweeps it.
    await sessions.open(tokens.vera);
    expect(await rows.count()).toBe(1);
  });

  it("stores digests only: neither the cookie's id nor the token is in the database", async () => {
    const { rows, store } = await table();
    const { sessions } = await sessionsWith({ tokens: registry(), table: rows });
    const s = (await sessions.open(tokens.olga))!;
    const dump = JSON.stringify(await store.db.all("SELECT * FROM sessions"));
    expect(dump).not.toContain(s.id);
    expect(dump).not.toContain(tokens.olga);
  });

  it("follows the token registry: a reload that drops the token ends its sessions, a role change applies", async () => {
    const tokensNow = registry();
    const { sessions } = await sessionsWith({ tokens: tokensNow });
    const s = (await sessions.open(tokens.vera))!;
    tokensNow.replace([{ name: "vera", role: "admin", token: tokens.vera }]);
    expect((await sessions.find(s.id))?.principal.role).toBe("admin");
    tokensNow.replace([]);
    expect(await sessions.find(s.id)).toBeUndefined();
  });

  it("is shared through the store: another agent that knows the token accepts it, one that does not refuses it, a logout ends it everywhere", async () => {
    const { rows } = await table();
    const { sessions: a } = await sessionsWith({ tokens: registry(), table: rows });
    const { sessions: b } = await sessionsWith({ tokens: registry(), table: rows });
    const { sessions: stranger } = await sessionsWith({
      tokens: new TokenRegistry([{ name: "olga", role: "operator", token: tokens.olga }]),
      table: rows,
    });
    const s = (await a.open(tokens.vera))!;
    expect((await b.find(s.id))?.principal.name).toBe("vera");
    // Unknown to this agent's config, so no session here; the row stays for the agents that know it.
    expect(await stranger.find(s.id)).toBeUndefined();
    expect((await a.find(s.id))?.csrf).toBe(s.csrf);
    await b.close(s.id);
    expect(await a.find(s.id)).toBeUndefined();
  });

  it("holds at most maxPerToken sessions of one token, dropping that token's oldest; close ends one", async () => {
    const { sessions, rows } = await sessionsWith({ tokens: registry(), maxPerToken: 2 });
    const olga = (await sessions.open(tokens.olga))!;
    const a = (await sessions.open(tokens.vera))!;
    const b = (await sessions.open(tokens.vera))!;
    const c = (await sessions.open(tokens.vera))!;
    expect(await rows.count()).toBe(3);
    expect(await sessions.find(a.id)).toBeUndefined();
    expect(await sessions.find(b.id)).toBeDefined();
    expect(await sessions.find(c.id)).toBeDefined();
    await sessions.close(c.id);
    expect(await sessions.find(c.id)).toBeUndefined();
    expect(await sessions.find(olga.id)).toBeDefined();
  });

  it("never evicts another token's sessions, however many logins one token makes", async () => {
    const { sessions, rows } = await sessionsWith({ tokens: registry() });
    const olga = (await sessions.open(tokens.olga))!;
    for (let i = 0; i < 1_001; i++) await sessions.open(tokens.vera);
    expect((await sessions.find(olga.id))?.principal.name).toBe("olga");
    expect(await rows.count()).toBe(1 + sessions.maxPerToken);
  });

  it("an expired session of the token makes room before a live one is dropped", async () => {
    let now = 0;
    const { sessions, rows } = await sessionsWith({
      tokens: registry(),
      maxPerToken: 2,
      ttlMs: 1_000,
      now: () => now,
    });
    await sessions.open(tokens.vera);
    now = 900;
    const live = (await sessions.open(tokens.vera))!;
    now = 1_500;
    const next = (await sessions.open(tokens.vera))!;
    expect(await sessions.find(live.id)).toBeDefined();
    expect(await sessions.find(next.id)).toBeDefined();
    expect(await rows.count()).toBe(2);
  });

  it("compares CSRF tokens exactly", () => {
    expect(csrfMatches("abc", "abc")).toBe(true);
    expect(csrfMatches("abc", "abd")).toBe(false);
    expect(csrfMatches("abc", "ab")).toBe(false);
    expect(csrfMatches("abc", undefined)).toBe(false);
  });
});

async function apiWith(opts: { limit?: number } = {}) {
  let logged = "";
  const log = createLogger({
    level: "debug",
    redactor: new Redactor(),
    destination: new Writable({
      write(chunk: Buffer, _enc, done) {
        logged += chunk.toString();
        done();
      },
    }),
  });
  const tokensNow = registry();
  const { rows, store } = await table();
  let paused = false;
  const deps = {
    tokens: tokensNow,
    limiter: new FailureLimiter({ limit: opts.limit ?? 1_000 }),
    sessions: new SessionStore({ tokens: tokensNow, table: rows }),
    log,
    guard: {
      pause: async () => ({ paused: (paused = true) }),
      pauseState: () => ({ paused, by: null, reason: null, since: null }),
    },
    targets: { list: () => [] },
  } as unknown as ApiDeps;
  return { app: serveApi(createApi(deps)), logged: () => logged, store };
}

type App = Awaited<ReturnType<typeof apiWith>>["app"];
const login = (app: App, token: string, headers: Record<string, string> = {}) =>
  app.request("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ token }),
  });
/** The cookie pair (`vigil_session=...`) a browser would send back. */
const cookieOf = (res: Response) => res.headers.get("set-cookie")!.split(";")[0]!;

describe("POST /api/session and cookie authentication", () => {
  it("logs in with a token: an HttpOnly, SameSite=Strict cookie and a CSRF token; the token is never logged", async () => {
    const { app, logged } = await apiWith();
    const res = await login(app, tokens.olga);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; role: string; csrf_token: string; expires_at: number };
    expect(body).toMatchObject({ name: "olga", role: "operator" });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(
      /^vigil_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(logged()).toContain("dashboard session opened");
    expect(logged()).not.toContain(tokens.olga);

    const me = await app.request("/api/session", { headers: { cookie: cookieOf(res) } });
    expect(await me.json()).toMatchObject({ name: "olga", role: "operator", csrf_token: body.csrf_token });
  });

  // The agent serves plain HTTP: HTTPS reaches it through a TLS-terminating proxy that says so.
  it("marks the cookie Secure over HTTPS", async () => {
    const { app } = await apiWith();
    const res = await login(app, tokens.vera, { "x-forwarded-proto": "https" });
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    const plain = await login(app, tokens.vera);
    expect(plain.headers.get("set-cookie")).not.toMatch(/Secure/);
  });

  it("refuses an unknown token with 401, too many failures from one address with 429, a valid token never", async () => {
    const { app } = await apiWith({ limit: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await login(app, "wrong-token-0123456789");
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    }
    const limited = await login(app, "wrong-token-0123456789");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.headers.get("set-cookie")).toBeNull();
    expect((await login(app, tokens.olga)).status).toBe(200);
  });

  it("validates the body", async () => {
    const { app } = await apiWith();
    const res = await app.request("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: "" }),
    });
    expect(res.status).toBe(400);
  });

  it("needs the X-CSRF-Token header on every write made with the cookie", async () => {
    const { app } = await apiWith();
    const res = await login(app, tokens.olga);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const cookie = cookieOf(res);
    const pause = (headers: Record<string, string>) =>
      app.request("/api/pause", {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...headers },
        body: "{}",
      });

    const missing = await pause({});
    expect(missing.status).toBe(403);
    const err = ((await missing.json()) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/X-CSRF-Token/);
    expect((await pause({ "x-csrf-token": "not-the-token" })).status).toBe(403);
    expect((await pause({ "x-csrf-token": csrf_token })).status).toBe(200);

    // Reads need no CSRF token; bearer clients never do.
    expect((await app.request("/api/session", { headers: { cookie } })).status).toBe(200);
    const bearer = await app.request("/api/pause", {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.olga}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(bearer.status).toBe(200);
  });

  it("keeps roles: a viewer's session cannot pause", async () => {
    const { app } = await apiWith();
    const res = await login(app, tokens.vera);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const pause = await app.request("/api/pause", {
      method: "POST",
      headers: { cookie: cookieOf(res), "x-csrf-token": csrf_token, "content-type": "application/json" },
      body: "{}",
    });
    expect(pause.status).toBe(403);
  });

  it("logs out with DELETE (CSRF checked); the cookie is dead afterwards", async () => {
    const { app } = await apiWith();
    const res = await login(app, tokens.vera);
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    const cookie = cookieOf(res);
    expect((await app.request("/api/session", { method: "DELETE", headers: { cookie } })).status).toBe(403);
    const out = await app.request("/api/session", {
      method: "DELETE",
      headers: { cookie, "x-csrf-token": csrf_token },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/^vigil_session=; Max-Age=0; Path=\//);
    const after = await app.request("/api/session", { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/log in again/);
  });

  it("answers 503 STORE_UNAVAILABLE, not a 500, when the store cannot look the cookie up", async () => {
    const { app, store } = await apiWith();
    const res = await login(app, tokens.olga);
    const cookie = cookieOf(res);
    await store.close();
    const after = await app.request("/api/session", { headers: { cookie } });
    expect(after.status).toBe(503);
    const body = (await after.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("STORE_UNAVAILABLE");
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
    // A login cannot be stored either: the same answer, no cookie.
    const again = await login(app, tokens.olga);
    expect(again.status).toBe(503);
    expect(again.headers.get("set-cookie")).toBeNull();
  });

  it("a dead cookie is not counted as a failed authentication (a browser with an old cookie must not be locked out)", async () => {
    const { app } = await apiWith({ limit: 2 });
    for (let i = 0; i < 5; i++) {
      expect((await app.request("/api/session", { headers: { cookie: "vigil_session=stale" } })).status).toBe(
        401,
      );
    }
    expect((await login(app, tokens.vera)).status).toBe(200);
  });
});
