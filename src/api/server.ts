/**
 * The HTTP API: JSON in and out, bearer auth by role, errors from the catalog, a body size limit,
 * and only for a Host that names this agent (host-policy.ts). Bad input gets a 4xx, never a 5xx.
 *
 * Owns: routing, auth, error shape. Must not import: app, cli, supervisor internals; it reaches the
 * agent only through `ApiDeps`.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { VigilError } from "../core/errors.ts";
import { http } from "../core/node-http.ts";
import { authenticate } from "./authenticate.ts";
import type { ApiDeps, RouteSpec } from "./context.ts";
import { errorBody, sendError, toVigilError } from "./errors.ts";
import { HostPolicy } from "./host-policy.ts";
import { Router } from "./router.ts";
import { TurnBudget } from "./turns.ts";
import { actionRoutes } from "./routes/actions.ts";
import { approvalRoutes } from "./routes/approvals.ts";
import { auditRoutes } from "./routes/audit.ts";
import { backupRoutes } from "./routes/backups.ts";
import { eventRoutes } from "./routes/events.ts";
import { governanceRoutes } from "./routes/governance.ts";
import { historyRoutes } from "./routes/history.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { notifyRoutes } from "./routes/notify.ts";
import { digestRoutes } from "./routes/digest.ts";
import { reportRoutes } from "./routes/report.ts";
import { sessionRoutes } from "./routes/session.ts";
import { systemRoutes } from "./routes/system.ts";
import { heartbeatRoutes } from "./routes/heartbeat.ts";
import { alertmanagerRoutes } from "./routes/alertmanager.ts";
import { targetRoutes } from "./routes/targets.ts";
import { fleetRoutes } from "./routes/fleet.ts";
import { dashboardRoutes } from "../web/dashboard.ts";

/** Every route the API serves; the role tests walk this same table. */
export const routes: readonly RouteSpec[] = [
  ...systemRoutes,
  ...auditRoutes,
  ...targetRoutes,
  ...heartbeatRoutes,
  ...alertmanagerRoutes,
  ...actionRoutes,
  ...backupRoutes,
  ...approvalRoutes,
  ...incidentRoutes,
  ...jobRoutes,
  ...fleetRoutes,
  ...notifyRoutes,
  ...digestRoutes,
  ...governanceRoutes,
  ...reportRoutes,
  ...eventRoutes,
  ...metricsRoutes,
  ...historyRoutes,
  ...sessionRoutes,
  ...mcpRoutes,
  ...dashboardRoutes,
];

/** Largest request body accepted unless the deps say otherwise. */
export const defaultMaxBody = 256 * 1024;

export function createApi(deps: ApiDeps, table: readonly RouteSpec[] = routes): Router {
  const router = new Router({
    maxBodyBytes: deps.maxBodyBytes ?? defaultMaxBody,
    onError: (e, c) => {
      const err = toVigilError(e);
      if (err.code === "INTERNAL") deps.log.error({ err: e, path: c.req.path }, "request failed");
      return sendError(c, err);
    },
    notFound: (c) => sendError(c, new VigilError("NOT_FOUND", `no route ${c.req.method} ${c.req.path}`)),
  });
  // However many requests arrive at once, their handlers take turns with /health and the checks.
  const turns = new TurnBudget();
  for (const route of table) {
    router.add(route.method, route.path, async (c) => {
      await authenticate(deps, route, c);
      const wait = route.urgent ? undefined : turns.take();
      if (wait) await wait;
      return route.handler(c, deps);
    });
  }
  return router;
}

/** Answers before routing; an unread body is discarded by node:http once the answer is sent. */
function refuse(res: ServerResponse, e: VigilError): void {
  const body = JSON.stringify(errorBody(e.code, e.message));
  res.writeHead(e.status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

/** Reads past at most this much of an oversized body so the client sees the 413 rather than a reset. */
const maxDiscardBytes = 8 * 1024 * 1024;

/**
 * A body declared larger than the limit is refused before routing. The 413 is sent once the client
 * has finished sending (up to `maxDiscardBytes`, for at most 5 s): closing on a client still writing
 * resets the connection, and the client would see a network error instead of the answer.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  const body = JSON.stringify(errorBody("PAYLOAD_TOO_LARGE", `the body is over ${max} bytes`));
  let seen = 0;
  let answered = false;
  const answer = (close: boolean) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    res.writeHead(413, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      ...(close ? { connection: "close" } : {}),
    });
    res.end(body, () => {
      if (close) req.socket.destroySoon();
    });
  };
  const timer = setTimeout(() => answer(true), 5_000);
  req.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxDiscardBytes) {
      req.pause();
      answer(true);
    }
  });
  req.on("end", () => answer(false));
  req.on("error", () => answer(true));
}

export interface Listening {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Binds `host:port` (port 0 picks a free one). Fails with LISTEN_FAILED naming agent.listen and the
 * reason, rather than an unhandled 'error' event.
 */
export function listen(
  router: Router,
  host: string,
  port: number,
  maxBodyBytes = defaultMaxBody,
  allowedHosts: () => readonly string[] = () => [],
): Promise<Listening> {
  const policy = new HostPolicy({
    host,
    port: () => (server.address() as { port: number } | null)?.port ?? port,
    allowedHosts,
  });
  // The Host check comes first, before any route or the size check: a rebinding page learns nothing.
  const server = http.createServer((req, res) => {
    const refused = policy.refusal(req);
    if (refused) refuse(res, refused);
    else if (Number(req.headers["content-length"] ?? 0) > maxBodyBytes)
      refuseTooLarge(req, res, maxBodyBytes);
    else router.listener(req, res);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      reject(
        new VigilError(
          "LISTEN_FAILED",
          `agent.listen ${host}:${port} cannot be bound (${e.code ?? e.message}); ${
            e.code === "EADDRINUSE"
              ? "another process holds the port: stop it or choose another port"
              : "check the address"
          }`,
        ),
      );
    });
    server.listen(port, host, () => {
      const addr = server.address() as { port: number };
      const shown = host.includes(":") ? `[${host}]` : host;
      resolve({
        server,
        url: `http://${shown}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
