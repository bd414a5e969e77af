/**
 * The hammer of `bench/load.ts`, in a process of its own so that its work never delays the client
 * that measures `/health`: `node bench/load-clients.ts <json>` runs the given number of keep-alive
 * clients against the agent for the given seconds, each walking the route list from its own offset,
 * then prints one JSON line with what each route answered.
 */
import http from "node:http";

export interface HammerPlan {
  url: string;
  clients: number;
  seconds: number;
  viewerToken: string;
  adminToken: string;
  /** A target that exists, for the by-name routes. */
  target: string;
}

/** One kind of request; `stream` ones (server-sent events) are read to their headers, then dropped. */
interface Route {
  name: string;
  method: "GET" | "POST";
  path: string;
  token?: string;
  headers?: Record<string, string>;
  stream?: boolean;
}

export interface RouteTally {
  requests: number;
  /** Answers by status; "error" and "timeout" when none came. */
  statuses: Record<string, number>;
  bytes: number;
}

/** No request takes longer than this, answer included (then it counts as a timeout). */
const requestTimeoutMs = 10_000;

/** Every route an outsider, a viewer, an operator's dashboard and a scraper would call, good and bad. */
export function routesFor(p: HammerPlan): Route[] {
  const viewer = p.viewerToken;
  return [
    { name: "GET /health", method: "GET", path: "/health" },
    { name: "GET /metrics", method: "GET", path: "/metrics" },
    { name: "GET /metrics (gzip)", method: "GET", path: "/metrics", headers: { "accept-encoding": "gzip" } },
    { name: "GET /api/targets", method: "GET", path: "/api/targets", token: viewer },
    { name: "GET /api/targets/:name", method: "GET", path: `/api/targets/${p.target}`, token: viewer },
    { name: "GET /api/incidents", method: "GET", path: "/api/incidents?status=open", token: viewer },
    { name: "GET /ops-report", method: "GET", path: "/ops-report", token: viewer },
    {
      name: "GET /api/overview (gzip)",
      method: "GET",
      path: "/api/overview",
      token: viewer,
      headers: { "accept-encoding": "gzip" },
    },
    { name: "GET /api/audit", method: "GET", path: "/api/audit?limit=100", token: viewer },
    {
      name: "GET /api/events (SSE connect)",
      method: "GET",
      path: "/api/events",
      token: viewer,
      stream: true,
    },
    {
      name: "GET /api/targets, bad token",
      method: "GET",
      path: "/api/targets",
      token: "not-a-token-0123456789",
    },
    { name: "GET /ops-report, no token", method: "GET", path: "/ops-report" },
    {
      name: "POST /api/heartbeat, bad token",
      method: "POST",
      path: `/api/heartbeat/${p.target}`,
      token: "not-a-token-0123456789",
    },
    { name: "GET /api/stats", method: "GET", path: "/api/stats", token: p.adminToken },
    { name: "GET /nowhere (404)", method: "GET", path: "/nowhere" },
  ];
}

/** Runs the plan; resolves with a tally per route once every client has stopped. */
export async function hammer(p: HammerPlan): Promise<Record<string, RouteTally>> {
  const base = new URL(p.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: p.clients, maxFreeSockets: p.clients });
  const routes = routesFor(p);
  const tally: Record<string, RouteTally> = {};
  for (const r of routes) tally[r.name] = { requests: 0, statuses: {}, bytes: 0 };
  const end = performance.now() + p.seconds * 1000;

  const once = (r: Route) =>
    new Promise<void>((resolve) => {
      const t = tally[r.name]!;
      t.requests++;
      const req = http.request({
        agent,
        host: base.hostname,
        port: base.port,
        path: r.path,
        method: r.method,
        // The agent answers only a Host that names its listen address.
        headers: {
          host: base.host,
          ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
          ...(r.method === "POST" ? { "content-length": "0" } : {}),
          ...r.headers,
        },
      });
      // A deadline for the whole exchange: a socket timeout restarts with every byte of a slow body.
      const deadline = setTimeout(() => {
        settle("timeout");
        req.destroy();
      }, requestTimeoutMs);
      let settled = false;
      /** Each request counts once: its status, or why none came. */
      function settle(outcome: string) {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        t.statuses[outcome] = (t.statuses[outcome] ?? 0) + 1;
        resolve();
      }
      req.on("response", (res) => {
        const status = String(res.statusCode);
        if (r.stream && res.statusCode === 200) {
          settle(status);
          req.destroy();
          return;
        }
        res.on("data", (d: Buffer) => (t.bytes += d.length));
        res.on("end", () => settle(status));
        res.on("error", () => settle("error"));
      });
      req.on("error", () => settle("error"));
      req.on("close", () => settle("error"));
      req.end();
    });

  const client = async (offset: number) => {
    for (let k = offset; performance.now() < end; k++) await once(routes[k % routes.length]!);
  };
  await Promise.all(Array.from({ length: p.clients }, (_, i) => client(i)));
  agent.destroy();
  return tally;
}

if (import.meta.main) {
  const plan = JSON.parse(process.argv[2] ?? "{}") as HammerPlan;
  console.log(JSON.stringify(await hammer(plan)));
}
