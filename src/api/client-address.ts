import type { ApiContext } from "./router.ts";

/** The peer's address, the key the failure limiter counts by ("unknown" once the socket is gone). */
export function clientAddress(c: ApiContext): string {
  return c.req.raw.socket.remoteAddress ?? "unknown";
}
