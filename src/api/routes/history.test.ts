import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.ts";
import { FailureLimiter, TokenRegistry } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { createApi } from "../server.ts";
import { serveApi } from "../../../test/helpers/api.ts";

const viewer = "viewer-token-0123456789";
const targets = Array.from({ length: 200 }, (_, i) => ({
  name: `t${i}`,
  kind: "check",
  state: "up",
  since: 0,
  restarts: 0,
  last_result: null,
  incident_id: null,
  uptime_24h: 100,
  uptime_7d: 99.5,
  latency: [1, 2, 3],
}));
const asked: string[] = [];
const app = serveApi(
  createApi({
    tokens: new TokenRegistry([{ name: "vera", role: "viewer", token: viewer }]),
    limiter: new FailureLimiter(),
    log: silentLogger(),
    guard: { pauseState: () => ({ paused: true, by: "olga", reason: "deploy", since: 5 }) },
    history: {
      overview: async () => ({ generated_at: 7, targets }),
      history: async (name: string, window: string) => {
        asked.push(window);
        return name === "t1" ? { target: name, window } : undefined;
      },
    },
  } as unknown as ApiDeps),
);
const get = (p: string, headers: Record<string, string> = {}) =>
  app.request(p, { headers: { authorization: `Bearer ${viewer}`, ...headers } });

describe("GET /api/overview", () => {
  it("answers every target with its summary and the kill switch, gzipped when the client takes it", async () => {
    const plain = await get("/api/overview");
    expect(plain.headers.get("content-encoding")).toBeNull();
    const body = (await plain.json()) as { generated_at: number; targets: unknown[]; pause: unknown };
    expect(body.targets).toHaveLength(200);
    expect(body.pause).toEqual({ paused: true, by: "olga", reason: "deploy", since: 5 });

    const zipped = await get("/api/overview", { "accept-encoding": "gzip, deflate" });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("Accept-Encoding");
    const raw = Buffer.from(await zipped.arrayBuffer());
    expect(JSON.parse(gunzipSync(raw).toString())).toEqual(body);
  });
});

describe("GET /api/targets/{name}/history", () => {
  it("takes window=24h (the default) or 7d, names a bad one, and 404s an unknown target", async () => {
    expect((await get("/api/targets/t1/history")).status).toBe(200);
    expect((await get("/api/targets/t1/history?window=7d")).status).toBe(200);
    expect(asked).toEqual(["24h", "7d"]);
    const bad = await get("/api/targets/t1/history?window=1y");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /window: one of 24h, 7d/,
    );
    expect((await get("/api/targets/nope/history")).status).toBe(404);
  });
});
