/**
 * A webhook receiver for fleet tests on 127.0.0.1 (port 0) that can be down: while down it drops
 * every request without an answer after `dropAfterMs` (a crashed receiver behind its proxy), so
 * senders hold their claims for a while and then fail. While up it records each delivery (its
 * `Idempotency-Key`, which agent sent it, by the path the agent's config posts to, and which
 * incident facts it told) and answers 200 after `answerAfterMs`, so deliveries are in flight long
 * enough to kill a sender mid-send. `onDelivery` runs before the answer: what it does to the sender
 * happens while the request is in flight.
 */
import http from "node:http";
import type net from "node:net";

export interface HookDelivery {
  key: string;
  /** The last path segment the sender posted to: the agent's name in the fleet tests. */
  from: string;
  /** `<kind> <incident_id>` of every fact the message told (a grouped message tells several). */
  told: string[];
  at: number;
}

interface Told {
  kind: string;
  incident_id?: string;
}

export interface HookReceiver {
  url: string;
  up: boolean;
  deliveries: HookDelivery[];
  /** Requests dropped while down. */
  dropped: number;
  onDelivery?: (d: HookDelivery) => Promise<void>;
  close(): Promise<void>;
}

/** `<kind> <incident_id>` of every fact a notification's JSON body tells. */
export function toldIn(body: string): string[] {
  const message = JSON.parse(body) as Told & { items?: Told[] };
  return (message.items ?? [message]).map((i) => `${i.kind} ${i.incident_id ?? "-"}`);
}

export async function hookReceiver(opts: {
  dropAfterMs: number;
  answerAfterMs: number;
}): Promise<HookReceiver> {
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => (timers.delete(t), f()), ms);
    timers.add(t);
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      if (!rx.up) {
        rx.dropped++;
        return later(opts.dropAfterMs, () => req.socket.destroy());
      }
      const d: HookDelivery = {
        key: String(req.headers["idempotency-key"]),
        from: (req.url ?? "").split("/").pop() ?? "",
        told: toldIn(body),
        at: Date.now(),
      };
      rx.deliveries.push(d);
      void (rx.onDelivery?.(d) ?? Promise.resolve())
        .catch(() => undefined)
        .then(() => later(opts.answerAfterMs, () => res.writeHead(200).end("ok")));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const rx: HookReceiver = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    up: false,
    deliveries: [],
    dropped: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return rx;
}
