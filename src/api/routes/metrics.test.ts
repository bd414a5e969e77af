import { describe, expect, it } from "vitest";
import { silentLogger } from "../../core/log.ts";
import { FailureLimiter, TokenRegistry } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { createApi } from "../server.ts";
import { serveApi } from "../../../test/helpers/api.ts";

const viewer = "viewer-token-0123456789";
let authRequired = false;
// Only what GET /metrics touches: a route that reached for anything else would fail here.
const deps = {
  tokens: new TokenRegistry([{ name: "vera", role: "viewer", token: viewer }]),
  limiter: new FailureLimiter({ limit: 1_000_000 }),
  log: silentLogger(),
  metrics: {
    scrape: async () => ({
      contentType: "text/plain; version=0.0.4; charset=utf-8",
      body: "vigil_paused 0\n",
    }),
    authRequired: () => authRequired,
  },
} as unknown as ApiDeps;
const app = serveApi(createApi(deps));
const get = (token?: string) =>
  app.request("/metrics", { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("GET /metrics", () => {
  it("is open by default, in the Prometheus text format", async () => {
    authRequired = false;
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await res.text()).toBe("vigil_paused 0\n");
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
