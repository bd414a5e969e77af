import { VigilError, isVigilError } from "../../core/errors.ts";
import { queryInt } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import type { ApiContext } from "../router.ts";

/** An event type (`incident.opened`), a family (`incident.*`), or `*`. */
const typePattern = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;
const maxTypes = 50;

/** Where to resume: the `Last-Event-ID` an EventSource sends on reconnect, else `?after=`. */
function resumeAfter(c: ApiContext): number | undefined {
  const header = c.req.header("last-event-id")?.trim();
  if (header !== undefined && header !== "") {
    if (!/^\d{1,15}$/.test(header)) {
      throw new VigilError(
        "VALIDATION_FAILED",
        `Last-Event-ID: must be the id (seq) of an event this stream sent, got "${header.slice(0, 40)}"`,
      );
    }
    return Number(header);
  }
  return c.req.query("after") === undefined ? undefined : queryInt(c, "after", 0, Number.MAX_SAFE_INTEGER);
}

function types(c: ApiContext): string[] {
  const raw = c.req.query("types");
  if (raw === undefined) return [];
  const list = raw
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  const bad = list.find((t) => t.length > 100 || !typePattern.test(t));
  if (bad !== undefined || list.length > maxTypes) {
    throw new VigilError(
      "VALIDATION_FAILED",
      bad === undefined
        ? `types: at most ${maxTypes} entries`
        : `types: "${bad.slice(0, 40)}" is not an event type; write names like incident.opened or incident.*, separated by commas`,
    );
  }
  return list;
}

export const eventRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/events",
    role: "viewer",
    handler: (c, deps) => {
      // Owned by the token's name, so one token holder cannot take every stream.
      const opts = { after: resumeAfter(c), types: types(c), owner: c.principal!.name };
      let body: ReadableStream<Uint8Array>;
      try {
        body = deps.events.open(opts);
      } catch (e) {
        if (isVigilError(e, "RATE_LIMITED")) c.header("Retry-After", "30");
        throw e;
      }
      return c.body(body, 200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-store",
        // nginx buffers responses unless told not to; an event stream must go out as it happens.
        "x-accel-buffering": "no",
      });
    },
  },
];
