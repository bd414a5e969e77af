/**
 * Reachability without sending anything: a DNS lookup and a TCP connect, each with a timeout, and
 * what each failure means in words a person can act on.
 */
import dns from "node:dns/promises";
import net from "node:net";

export type Reach =
  { ok: true; address: string; ms: number } | { ok: false; code: string; step: "dns" | "tcp" };

/** Settles as `p` does, or resolves with `onTimeout()` once `ms` have passed; the timer never holds the process. */
export function withTimeout<T, U>(p: Promise<T>, ms: number, onTimeout: () => U): Promise<T | U> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => resolve(onTimeout()), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: Error) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** Opens a TCP connection and closes it at once. */
export function connect(host: string, port: number, timeoutMs: number): Promise<Reach> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (r: Reach) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, code: "ETIMEDOUT", step: "tcp" }), timeoutMs);
    socket.once("connect", () =>
      done({ ok: true, address: socket.remoteAddress ?? host, ms: Math.round(performance.now() - started) }),
    );
    socket.once("error", (e: NodeJS.ErrnoException) => {
      const dnsFailed = e.code === "ENOTFOUND" || e.code === "EAI_AGAIN";
      done({ ok: false, code: e.code ?? "ERROR", step: dnsFailed ? "dns" : "tcp" });
    });
  });
}

/** DNS, then TCP: which of the two fails says what to fix. */
export async function reach(host: string, port: number, timeoutMs: number): Promise<Reach> {
  if (net.isIP(host) === 0) {
    const looked = await withTimeout(
      dns.lookup(host).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e.code ?? "ERROR",
      ),
      timeoutMs,
      () => "ETIMEDOUT",
    );
    if (looked !== undefined) return { ok: false, code: looked, step: "dns" };
  }
  return connect(host, port, timeoutMs);
}

/** The port a URL connects to, its default included. */
export { urlHost, urlPort } from "../core/url.ts";

const localHosts = new Set(["127.0.0.1", "localhost", "::1", "0.0.0.0", "::"]);

/** Whether a host is this machine: then a port in its URL is a port a local service listens on. */
export function isLocal(host: string): boolean {
  return localHosts.has(host) || host.startsWith("127.");
}

/** What a failed reach means, and what to do: `{what, fix}` for a finding. */
export function explainReach(
  r: Reach & { ok: false },
  host: string,
  port: number,
  timeoutMs: number,
  key: string,
): { what: string; fix: string } {
  if (r.step === "dns")
    return r.code === "ETIMEDOUT"
      ? {
          what: `the DNS lookup of ${host} took over ${timeoutMs} ms`,
          fix: "check this machine's DNS resolver",
        }
      : {
          what: `${host} does not resolve (${r.code})`,
          fix: `check the host name in ${key}, or this machine's DNS`,
        };
  if (r.code === "ECONNREFUSED")
    return {
      what: `port ${port} refused on ${host}: nothing listens there`,
      fix: `start what should listen there, or fix the port in ${key}`,
    };
  if (r.code === "ETIMEDOUT")
    return {
      what: `no answer from ${host}:${port} within ${timeoutMs} ms`,
      fix: `is ${host} up, and does a firewall let this machine reach port ${port}?`,
    };
  if (r.code === "EHOSTUNREACH" || r.code === "ENETUNREACH")
    return { what: `${host} cannot be reached from here (${r.code})`, fix: "check the network route to it" };
  return { what: `connecting to ${host}:${port} failed (${r.code})`, fix: `check ${key}` };
}
