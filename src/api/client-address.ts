import { getConnInfo } from "@hono/node-server/conninfo";
import type { ApiContext } from "./context.ts";

/** The peer's address, the key the failure limiter counts by; "unknown" outside a Node server (tests). */
export function clientAddress(c: ApiContext): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
