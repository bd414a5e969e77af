/**
 * Which Host (and, on a write, which Origin) a request may name. A page on another site can reach an
 * agent on 127.0.0.1 by DNS rebinding: its own name, re-pointed at 127.0.0.1, makes the browser send
 * the agent requests with that name in Host. So a Host must be the listen address, a loopback
 * equivalent of a loopback listen address (127.0.0.1, localhost, [::1]), or an
 * `agent.allowed_hosts` entry (without a port it matches any port: a TLS proxy in front sends its own).
 * On a wildcard listen address (0.0.0.0, [::]) any IP literal with the port is the agent: a
 * rebinding page can never send an IP literal of its own as Host.
 *
 * Owns: parsing Host and Origin, the rule above. Must not import: app, store.
 */
import type { IncomingMessage } from "node:http";
import net from "node:net";
import { VigilError } from "../core/errors.ts";

interface HostPort {
  name: string;
  port: number | undefined;
}

/** `Example.com.:80` → `{ name: "example.com", port: 80 }`; `[::1]:7070` → `{ name: "::1", port: 7070 }`. */
export function parseHost(text: string): HostPort | undefined {
  const m = /^(\[([0-9a-f:.]+)\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/i.exec(text.trim());
  if (!m) return undefined;
  const name = (m[2] ?? m[1]!).toLowerCase().replace(/\.$/, "");
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name, port };
}

const isLoopback = (name: string) =>
  name === "localhost" || name === "::1" || (net.isIPv4(name) && name.startsWith("127."));
const isWildcard = (name: string) => name === "0.0.0.0" || name === "::";

/** Methods that change nothing: they need no Origin check. */
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

export interface HostPolicyOptions {
  /** The listen host, as configured (`127.0.0.1`, `::1`, `0.0.0.0`, a name). */
  host: string;
  /** The bound port, read when a request comes (port 0 is chosen at bind time). */
  port: () => number;
  /** `agent.allowed_hosts`, read per request so a reload applies at once. */
  allowedHosts: () => readonly string[];
}

/**
 * @example
 * const policy = new HostPolicy({ host: "127.0.0.1", port: () => 7070, allowedHosts: () => [] });
 * const refusal = policy.refusal(req); // undefined for Host: localhost:7070
 */
export class HostPolicy {
  readonly #o: HostPolicyOptions;
  readonly #listen: string;

  constructor(opts: HostPolicyOptions) {
    this.#o = opts;
    this.#listen = opts.host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  }

  /** The error to answer a request with, or undefined when its Host (and Origin) name this agent. */
  refusal(req: IncomingMessage): VigilError | undefined {
    const host = req.headers.host;
    if (host === undefined || !this.allows(parseHost(host), 80)) {
      return new VigilError(
        "HOST_NOT_ALLOWED",
        `Host ${JSON.stringify((host ?? "").slice(0, 100))} is not this agent's address (${this.#shown()}); ` +
          "a name that should reach it goes in agent.allowed_hosts",
      );
    }
    const origin = req.headers.origin;
    if (origin === undefined || safeMethods.has(req.method ?? "GET")) return undefined;
    if (!this.#originAllowed(origin)) {
      return new VigilError(
        "ORIGIN_NOT_ALLOWED",
        `a ${req.method} from Origin ${JSON.stringify(origin.slice(0, 100))} is refused: only pages of this agent ` +
          "(its listen address or agent.allowed_hosts) may change anything",
      );
    }
    return undefined;
  }

  /** Whether a Host (its port defaulting to `defaultPort`) names this agent. */
  allows(h: HostPort | undefined, defaultPort: number): boolean {
    if (!h) return false;
    const port = h.port ?? defaultPort;
    for (const entry of this.#o.allowedHosts()) {
      const a = parseHost(entry);
      if (a && a.name === h.name && (a.port === undefined || a.port === port)) return true;
    }
    if (port !== this.#o.port()) return false;
    if (h.name === this.#listen) return true;
    if (isLoopback(this.#listen)) return isLoopback(h.name);
    return isWildcard(this.#listen) && (net.isIP(h.name) !== 0 || h.name === "localhost");
  }

  #originAllowed(origin: string): boolean {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (a sandboxed frame, a file:// page) and anything malformed
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return false;
    return this.allows(parseHost(url.host), url.protocol === "https:" ? 443 : 80);
  }

  #shown(): string {
    const h = this.#listen.includes(":") ? `[${this.#listen}]` : this.#listen;
    return `${h}:${this.#o.port()}`;
  }
}
