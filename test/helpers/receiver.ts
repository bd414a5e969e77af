/**
 * Stand-ins for a provider's receiver on 127.0.0.1 (port 0): an HTTP server recording every request
 * and answering as told or never, and a TCP server that accepts a connection and never says a word
 * (neither an HTTP answer nor an SMTP greeting nor a TLS handshake). A test file closes them with
 * `afterEach(closeReceivers)`. Also the notification the provider tests send.
 */
import http from "node:http";
import net from "node:net";
import type { Outgoing } from "../../src/notify/provider.ts";

export interface Hit {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const closers: (() => Promise<void>)[] = [];

/** Closes every server this module started, dropping the connections they hold. */
export async function closeReceivers(): Promise<void> {
  await Promise.all(closers.splice(0).map((c) => c()));
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A receiver recording every request once its body has arrived; `reply` answers it, "hang" never does. */
export async function receiver(
  reply: Reply | "hang" = { status: 200, body: "ok" },
): Promise<{ hits: Hit[]; url: string; port: number }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      hits.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
      if (reply === "hang") return;
      res.writeHead(reply.status, reply.headers).end(reply.body ?? "");
    });
  });
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = await listen(server);
  return { hits, url: `http://127.0.0.1:${port}`, port };
}

/** A TCP server that accepts every connection and never writes or reads a byte. */
export async function silentServer(): Promise<{ port: number; accepted: () => number }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer({ pauseOnConnect: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: await listen(server), accepted: () => accepted };
}

/** When the test notifications happened: 2026-01-02T03:04:05Z. */
export const at = Date.UTC(2026, 0, 2, 3, 4, 5);

/** An incident-opened notification for web-1, with `over` changed. */
export function outgoing(over: Partial<Outgoing["message"]> = {}): Outgoing {
  const message = {
    id: "n-1",
    kind: "incident.opened",
    target: "web-1",
    title: "web-1 is down",
    text: "GET /health: connection refused",
    incident_id: "inc-7",
    at,
    ...over,
  };
  return { id: message.id, message };
}

/** The delivery options the provider tests pass unless a test needs a shorter timeout. */
export const opts = { timeoutMs: 2_000, now: at };
