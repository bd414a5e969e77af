/**
 * The dashboard, as the agent serves it: the single-page app that `web/` builds into `web/dist/`
 * (Vite; `npm install` builds it, see scripts/build-web.ts). `index.html` answers `/` and every
 * page's path, so a reload or a shared link lands on the right page; the hashed files under
 * `/assets/` are cached for good. Nothing is fetched from anywhere else: the page's CSP says so.
 *
 * Owns: serving the built files. Must not import: app; the API routes stay in src/api.
 */
import fs from "node:fs";
import path from "node:path";
import { VigilError } from "../core/errors.ts";
import type { RouteSpec } from "../api/context.ts";
import type { ApiContext, Reply } from "../api/router.ts";

/** The paths of the app's pages (web/src/routes.ts has the same list). */
export const pagePaths = [
  "/",
  "/login",
  "/targets",
  "/targets/:name",
  "/incidents",
  "/incidents/:id",
  "/approvals",
  "/actions",
  "/audit",
  "/fleet",
] as const;

const contentTypes: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** Scripts and styles from this origin only; data: images are the inline icons. */
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const pageHeaders = {
  "content-security-policy": csp,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * The checkout's root, from src/web/ or from the build's dist/src/web/: the nearest folder with a
 * package.json and a web/ folder (dist/ has a copy of package.json but no web/).
 */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "web"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "../..");
  }
}

/** Where the built dashboard is unless the deps say otherwise. */
export const defaultWebDir = path.join(findRoot(import.meta.dirname), "web", "dist");

const missingPage = (dir: string) => `<!doctype html>
<meta charset="utf-8"><title>Vigil: dashboard not built</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>The dashboard is not built</h1>
<p>The agent is running and its API answers, but there is no dashboard in <code>${escapeHtml(dir)}</code>.</p>
<p>Build it in the checkout with <code>npm run build:web</code> (<code>npm install</code> does this too,
when the dev dependencies are installed), then reload this page.</p>
</body>`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A precompressed `.gz` beside the file is sent instead when the client takes gzip. */
function sendFile(c: ApiContext, file: string, cacheControl: string, extra: Record<string, string> = {}) {
  const type = contentTypes[path.extname(file)] ?? "application/octet-stream";
  const gzipOk = /\bgzip\b/i.test(c.req.header("accept-encoding") ?? "");
  const zipped = gzipOk && fs.existsSync(`${file}.gz`);
  const body = fs.readFileSync(zipped ? `${file}.gz` : file);
  return c.body(new Uint8Array(body), 200, {
    "content-type": type,
    "cache-control": cacheControl,
    vary: "Accept-Encoding",
    ...(zipped ? { "content-encoding": "gzip" } : {}),
    ...extra,
  });
}

function indexPage(c: ApiContext, dir: string): Reply {
  const index = path.join(dir, "index.html");
  if (!fs.existsSync(index)) {
    return c.html(missingPage(dir), 503, {
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
  }
  // Revalidated every time: it names the current hashed assets.
  return sendFile(c, index, "no-cache", pageHeaders);
}

/** Only a plain file name under assets/: no separators, no dot-dot, nothing hidden. */
const assetName = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

export const dashboardRoutes: RouteSpec[] = [
  ...pagePaths.map((p): RouteSpec => ({
    method: "GET",
    path: p,
    role: "none",
    handler: (c, deps) => indexPage(c, deps.webDir ?? defaultWebDir),
  })),
  {
    method: "GET",
    path: "/assets/:file",
    role: "none",
    handler: (c, deps) => {
      const name = c.req.param("file") ?? "";
      const file = path.join(deps.webDir ?? defaultWebDir, "assets", name);
      if (
        !assetName.test(name) ||
        name.endsWith(".gz") ||
        !fs.statSync(file, { throwIfNoEntry: false })?.isFile()
      ) {
        throw new VigilError("NOT_FOUND", `no dashboard asset "${name.slice(0, 80)}"`);
      }
      // Vite puts a content hash in every asset's name: a changed file is a new name.
      return sendFile(c, file, "public, max-age=31536000, immutable");
    },
  },
];
