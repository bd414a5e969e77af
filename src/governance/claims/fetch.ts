/**
 * The one GET an http claim makes: redirects followed on the same host only, at most 3, the body
 * cut at 1 MiB, the claim's deadline as its signal. Reads only; never throws on what it meets.
 *
 * Owns: fetching a URL for a claim. Must not import: app, api, cli, notify.
 */
import https from "node:https";
import { http } from "../../core/node-http.ts";

export const maxBody = 1024 * 1024;
const maxRedirects = 3;

export type Got =
  | { ok: true; status: number; body: Buffer; truncated: boolean; note?: string }
  | { ok: false; refused: boolean; why: string };

/** GET with redirects followed on the same host only, the body cut at `maxBody`. */
export async function fetchBounded(start: URL, signal: AbortSignal, follow: boolean): Promise<Got> {
  let u = start;
  for (let hop = 0; ; hop++) {
    const r = await getOnce(u, signal);
    if (
      !follow ||
      !r.ok ||
      r.status < 300 ||
      r.status >= 400 ||
      r.location === undefined ||
      hop >= maxRedirects
    )
      return r;
    let next: URL;
    try {
      next = new URL(r.location, u);
    } catch {
      return { ...r, note: "a redirect to a bad URL, not followed" };
    }
    if (next.host !== u.host || next.protocol !== u.protocol)
      return { ...r, note: `redirects to ${next.host}, not followed` };
    u = next;
  }
}

function getOnce(u: URL, signal: AbortSignal): Promise<Got & { location?: string }> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ ok: false, refused: false, why: "the claim's time ran out" });
    const lib = u.protocol === "https:" ? https : http;
    const req = lib.get(u, { signal, headers: { "user-agent": "vigil-verify" }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on("data", (d: Buffer) => {
        if (size >= maxBody) {
          truncated = true;
          res.destroy();
          finish();
          return;
        }
        chunks.push(d);
        size += d.length;
      });
      const finish = () =>
        resolve({
          ok: true,
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).subarray(0, maxBody),
          truncated: truncated || size > maxBody,
          ...(typeof res.headers.location === "string" ? { location: res.headers.location } : {}),
        });
      res.on("end", finish);
      res.on("error", () => finish());
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (signal.aborted)
        return resolve({ ok: false, refused: false, why: "no answer before the claim's time ran out" });
      const refused = e.code === "ECONNREFUSED";
      resolve({
        ok: false,
        refused,
        why: refused ? "connection refused" : `${e.code ?? "error"}: ${e.message}`.slice(0, 200),
      });
    });
  });
}
