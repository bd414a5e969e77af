/**
 * Dashboard sessions live in the store: two real agents on one PostgreSQL schema accept each other's
 * sessions (CSRF included) when both know the token, and a logout on one ends the session on both;
 * a token only one agent knows logs in there only. A restarted agent on SQLite keeps its sessions.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const shared = "shared-operator-token-0123456789";
const onlyA = "only-on-a-viewer-token-0123456789";
const schema = testSchema("vigil_fleet_sessions");
const agents: RunningAgent[] = [];

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

const tokensYaml = (extra = "") => `auth:
  tokens:
    - { name: olga, role: operator, token: "${shared}" }${extra}
`;

async function start(yaml: string, dir?: string) {
  const a = await startAgent(yaml, dir ? { dir } : {});
  agents.push(a);
  return a;
}

async function login(a: RunningAgent, token: string) {
  const res = await fetch(`${a.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status).toBe(200);
  const { csrf_token } = (await res.json()) as { csrf_token: string };
  return { cookie: res.headers.get("set-cookie")!.split(";")[0]!, csrf: csrf_token };
}

const withCookie = (a: RunningAgent, path: string, cookie: string, init: RequestInit = {}) =>
  fetch(a.url + path, {
    ...init,
    headers: { cookie, ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(10_000),
  });

describe("dashboard sessions in the store", () => {
  it("a session opened on one agent works on another of the fleet, and a logout on either ends it", async () => {
    const yaml = (name: string, extra = "") =>
      `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }\n${tokensYaml(extra)}`;
    const a = await start(yaml("web-a", `\n    - { name: vera, role: viewer, token: "${onlyA}" }`));
    const b = await start(yaml("web-b"));

    const s = await login(a, shared);
    const me = await withCookie(b, "/api/session", s.cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: "olga", role: "operator", csrf_token: s.csrf });

    // A write on B with A's session: refused without the session's CSRF token, done with it.
    const pause = (csrf?: string) =>
      withCookie(b, "/api/pause", s.cookie, {
        method: "POST",
        headers: { "content-type": "application/json", ...(csrf ? { "x-csrf-token": csrf } : {}) },
        body: JSON.stringify({ reason: "fleet session test" }),
      });
    expect((await pause()).status).toBe(403);
    expect((await pause(s.csrf)).status).toBe(200);
    const resume = await withCookie(b, "/api/resume", s.cookie, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": s.csrf },
      body: "{}",
    });
    expect(resume.status).toBe(200);

    // A token only A's config knows: its session works on A, not on B, and B's refusal ends nothing.
    const v = await login(a, onlyA);
    expect((await withCookie(b, "/api/targets", v.cookie)).status).toBe(401);
    expect((await withCookie(a, "/api/targets", v.cookie)).status).toBe(200);

    // Log out on B: the cookie is dead on A at once.
    const out = await withCookie(b, "/api/session", s.cookie, {
      method: "DELETE",
      headers: { "x-csrf-token": s.csrf },
    });
    expect(out.status).toBe(200);
    const after = await withCookie(a, "/api/targets", s.cookie);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
    expect((await withCookie(a, "/api/targets", v.cookie)).status).toBe(200);
  });

  it("a restarted agent on SQLite keeps its sessions", async () => {
    const yaml = `agent: { listen: "127.0.0.1:0" }\n${tokensYaml()}`;
    const first = await start(yaml);
    const s = await login(first, shared);
    expect((await first.stop("SIGTERM")).code).toBe(0);
    const again = await start(yaml, first.dir);
    const me = await withCookie(again, "/api/session", s.cookie);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: "olga", csrf_token: s.csrf });
  });
});
