import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { silentLogger } from "../core/log.ts";
import { FailureLimiter, TokenRegistry } from "../api/auth.ts";
import type { ApiDeps } from "../api/context.ts";
import { createApi } from "../api/server.ts";
import { serveApi } from "../../test/helpers/api.ts";

function built(): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Vigil</title>");
  fs.writeFileSync(path.join(dir, "assets/index-abc123.js"), "console.log(1)");
  fs.writeFileSync(path.join(dir, "assets/index-abc123.js.gz"), gzipSync("console.log(1)"));
  fs.writeFileSync(path.join(dir, "assets/index-abc123.css"), "body{}");
  return dir;
}

const appFor = (webDir: string) =>
  serveApi(
    createApi({
      webDir,
      tokens: new TokenRegistry([]),
      limiter: new FailureLimiter(),
      log: silentLogger(),
    } as unknown as ApiDeps),
  );

describe("the dashboard's files", () => {
  it("answers / and every page's path with index.html, revalidated, under a same-origin CSP", async () => {
    const app = appFor(built());
    for (const p of [
      "/",
      "/targets",
      "/targets/web-1",
      "/incidents",
      "/approvals",
      "/audit",
      "/fleet",
      "/login",
    ]) {
      const res = await app.request(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(await res.text()).toContain("<title>Vigil</title>");
    }
  });

  it("serves hashed assets with their type, cached for good, gzipped when the client takes it", async () => {
    const app = appFor(built());
    const js = await app.request("/assets/index-abc123.js");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-encoding")).toBeNull();
    expect(await js.text()).toBe("console.log(1)");
    const zipped = await app.request("/assets/index-abc123.js", {
      headers: { "accept-encoding": "gzip, br" },
    });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("Accept-Encoding");
    const css = await app.request("/assets/index-abc123.css", { headers: { "accept-encoding": "gzip" } });
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("content-encoding")).toBeNull();
  });

  it("refuses anything outside assets/ and unknown files with a JSON 404", async () => {
    const app = appFor(built());
    for (const p of [
      "/assets/nope.js",
      "/assets/..%2F..%2Fpackage.json",
      "/assets/.hidden",
      "/assets/index-abc123.js.gz",
      "/assets/a%2Fb.js",
      "/nope",
    ]) {
      const res = await app.request(p);
      expect(res.status, p).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
  });

  it("says how to build it when the build is missing", async () => {
    const res = await appFor(path.join(tempDir(), "none")).request("/");
    expect(res.status).toBe(503);
    expect(await res.text()).toContain("npm run build:web");
  });
});
