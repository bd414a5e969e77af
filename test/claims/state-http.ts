/**
 * The HTTP side of the claims machine: a site on 127.0.0.1 that answers known statuses and bodies,
 * and a "forbidden" site on 127.0.0.2 (loopback, but not in governance.verify.hosts) that counts
 * every connection, so a test can prove the verifier never contacted a host outside its allowlist.
 */
import http from "node:http";
import type net from "node:net";

export interface Site {
  port: number;
  /** Connections the server accepted since it started. */
  connections(): number;
  close(): Promise<void>;
}

/** The routes of the known site; bodies are what claims say "contains". */
export const pages = {
  health: '{"status":"ok","uptime_s":1234}',
  status: '{"status":"healthy","version":"1.4.2","queue":0}',
  version: "vigil-cx 1.4.2\n",
  missing: "not found: /missing\n",
  boom: "internal error: database unavailable\n",
  /** /slow answers after this long: above a "500 ms" claim, below the 5 s a claim may take. */
  slowMs: 1_500,
};

function handle(req: http.IncomingMessage, res: http.ServerResponse, timers: Set<NodeJS.Timeout>) {
  const path = (req.url ?? "/").split("?")[0];
  const send = (status: number, body: string, type = "text/plain", extra: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { "content-type": type, ...extra });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  switch (path) {
    case "/health":
      return send(200, pages.health, "application/json");
    case "/api/status":
      return send(200, pages.status, "application/json");
    case "/version":
      return send(200, pages.version);
    case "/boom":
      return send(500, pages.boom);
    case "/old":
      return send(302, "moved to /health\n", "text/plain", { location: "/health" });
    case "/gone":
      return send(301, "moved permanently to /missing\n", "text/plain", { location: "/missing" });
    case "/slow": {
      const t = setTimeout(() => {
        timers.delete(t);
        send(200, "slow but fine\n");
      }, pages.slowMs);
      timers.add(t);
      return;
    }
    default:
      return send(404, pages.missing);
  }
}

/** Starts a site on `host`, port 0. */
export async function startSite(host = "127.0.0.1"): Promise<Site> {
  const timers = new Set<NodeJS.Timeout>();
  let connections = 0;
  const server = http.createServer((req, res) => handle(req, res, timers));
  server.on("connection", () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
