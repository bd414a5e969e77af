import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.ts";
import { FailureLimiter, TokenRegistry } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { createApi } from "../server.ts";
import { serveApi } from "../../../test/helpers/api.ts";

const viewer = "viewer-token-0123456789";
let authRequired = false;
let text = "vigil_paused 0\n";
let gzipped = 0;
// Only what GET /metrics touches: a route that reached for anything else would fail here.
const deps = {
  tokens: new TokenRegistry([{ name: "vera", role: "viewer", token: viewer }]),
  limiter: new FailureLimiter({ limit: 1_000_000 }),
  log: silentLogger(),
  metrics: {
    scrape: async () => ({
      contentType: "text/plain; version=0.0.4; charset=utf-8",
      body: Buffer.from(text),
      gzipped: async () => {
        gzipped++;
        return gzipSync(text);
      },
    }),
    authRequired: () => authRequired,
  },
} as unknown as ApiDeps;
const app = serveApi(createApi(deps));
const get = (token?: string, headers: Record<string, string> = {}) =>
  app.request("/metrics", {
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

describe("GET /metrics", () => {
  it("is open by default, in the Prometheus text format", async () => {
    authRequired = false;
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toBe("vigil_paused 0\n");
  });

  it("answers gzipped to a scraper that accepts it, when the text is worth compressing", async () => {
    authRequired = false;
    text = `${'vigil_target_up{target="web",kind="service"} 1\n'.repeat(500)}`;
    gzipped = 0;
    const zipped = await get(undefined, { "accept-encoding": "gzip" });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("Accept-Encoding");
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(text);
    expect(gzipped).toBe(1);
    const plain = await get();
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(text);
    text = "vigil_paused 0\n";
  });

  it("needs a viewer token with agent.metrics_auth, read per request so a reload applies at once", async () => {
    authRequired = true;
    expect((await get()).status).toBe(401);
    expect((await get("not-a-known-token-xxxx")).status).toBe(401);
    expect((await get(viewer)).status).toBe(200);
    authRequired = false;
    expect((await get()).status).toBe(200);
  });
});
