/**
 * A small Docker Engine API client over `node:http` on the engine's unix socket (Docker, or
 * Podman's Docker-compatible service).
 *
 * Why not dockerode: Vigil needs a dozen endpoints (inspect, list, stats, start/stop/restart/kill,
 * logs, events, create/remove for tests); dockerode brings docker-modem with ssh2 and its optional
 * native crypto bindings, and a second HTTP stack in a daemon whose memory is measured
 * (BENCHMARKS.md). Here every call has a deadline and a bounded answer, which is what a
 * supervisor must be able to count on, and the errors are the three a caller acts on: the engine
 * is unreachable (naming the socket), the container is not there, the engine answered status N.
 *
 * Owns: talking to the engine. Must not import: anything but core.
 */
import type { IncomingMessage, ClientRequest, Agent } from "node:http";
import { http } from "../core/node-http.ts";

export const DEFAULT_SOCKET = "/var/run/docker.sock";
const DEFAULT_TIMEOUT_MS = 10_000;
/** An answer larger than this is refused: inspect and stats are a few kB, a list of 1,000 ~2 MB. */
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
/** One `/events` line: an event is under 2 kB; a longer line means something else is talking. */
const MAX_EVENT_LINE = 256 * 1024;

import {
  badAnswer,
  EngineError,
  gaveUp,
  isEngineError,
  networkError,
  statusError,
  where,
} from "./engine-errors.ts";
import {
  demultiplex,
  splitLines,
  toEvent,
  toInfo,
  toStats,
  toSummary,
  type ContainerInfo,
  type ContainerStats,
  type ContainerSummary,
  type CreateSpec,
  type EngineEvent,
  type LogLine,
  type RawInspect,
  type RawStats,
  type RawSummary,
} from "./engine-wire.ts";
import { readBounded } from "./bounded-read.ts";

export { EngineError, isEngineError, type EngineErrorKind } from "./engine-errors.ts";
export {
  demultiplex,
  type ContainerInfo,
  type ContainerStats,
  type ContainerSummary,
  type CreateSpec,
  type EngineEvent,
  type LogLine,
} from "./engine-wire.ts";

/**
 * The socket path for `agent.docker.host` (unix:///path), else `DOCKER_HOST`, else the standard
 * socket. Throws on another scheme: the config refuses one for `agent.docker.host`; a `DOCKER_HOST`
 * of tcp:// or ssh:// is named here rather than silently ignored.
 */
export function engineSocket(configured?: string, env: NodeJS.ProcessEnv = process.env): string {
  const host = configured ?? (env.DOCKER_HOST || undefined);
  if (host === undefined) return DEFAULT_SOCKET;
  if (!host.startsWith("unix://") || host.length <= "unix://".length) {
    const from = configured === undefined ? "DOCKER_HOST" : "agent.docker.host";
    throw new Error(
      `${from} must be unix:///path/to/docker.sock (Vigil talks to the engine on its socket only)`,
    );
  }
  return host.slice("unix://".length);
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class Engine {
  readonly socket: string;
  private readonly agent: Agent;

  constructor(socket: string) {
    this.socket = socket;
    // Keep-alive for the short calls; idle sockets are unref'd so they never hold the process.
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  /** The engine at `agent.docker.host`, `DOCKER_HOST` or the standard socket. */
  static fromHost(host?: string, env?: NodeJS.ProcessEnv): Engine {
    return new Engine(engineSocket(host, env));
  }

  /** Closes idle connections. */
  close(): void {
    this.agent.destroy();
  }

  async ping(opts: CallOptions = {}): Promise<void> {
    await this.call("GET", "/_ping", opts);
  }

  async inspect(nameOrId: string, opts: CallOptions = {}): Promise<ContainerInfo> {
    const raw = (await this.json("GET", `/containers/${enc(nameOrId)}/json`, opts)) as RawInspect;
    return toInfo(raw);
  }

  /** Containers with every label given (`{ key: value }`, or `{ key: undefined }` for "has key"). */
  async list(
    q: { labels?: Record<string, string | undefined>; all?: boolean } = {},
    opts: CallOptions = {},
  ): Promise<ContainerSummary[]> {
    const label = Object.entries(q.labels ?? {}).map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
    const params = new URLSearchParams({ all: String(q.all ?? true) });
    if (label.length > 0) params.set("filters", JSON.stringify({ label }));
    const raw = (await this.json("GET", `/containers/json?${params.toString()}`, opts)) as RawSummary[];
    if (!Array.isArray(raw)) throw badAnswer(this.socket, "/containers/json");
    return raw.map(toSummary);
  }

  async stats(id: string, opts: CallOptions = {}): Promise<ContainerStats> {
    const raw = (await this.json("GET", `/containers/${enc(id)}/stats?stream=false`, opts)) as RawStats;
    return toStats(raw);
  }

  /** Starts a container; one already running is not an error (the engine answers 304). */
  async start(id: string, opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/start`, opts);
  }

  /** SIGTERM (or the image's stop signal), then SIGKILL after `timeoutS`; already stopped is fine. */
  async stop(id: string, timeoutS = 10, opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/stop?t=${Math.max(0, Math.round(timeoutS))}`, {
      ...opts,
      timeoutMs: opts.timeoutMs ?? timeoutS * 1000 + DEFAULT_TIMEOUT_MS,
    });
  }

  async restart(id: string, timeoutS = 10, opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/restart?t=${Math.max(0, Math.round(timeoutS))}`, {
      ...opts,
      timeoutMs: opts.timeoutMs ?? timeoutS * 1000 + DEFAULT_TIMEOUT_MS,
    });
  }

  async kill(id: string, signal = "SIGKILL", opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/kill?signal=${enc(signal)}`, opts);
  }

  async pause(id: string, opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/pause`, opts);
  }

  async unpause(id: string, opts: CallOptions = {}): Promise<void> {
    await this.call("POST", `/containers/${enc(id)}/unpause`, opts);
  }

  /** Creates a container and returns its id. */
  async create(name: string, spec: CreateSpec, opts: CallOptions = {}): Promise<string> {
    const raw = (await this.json("POST", `/containers/create?name=${enc(name)}`, {
      ...opts,
      body: spec,
    })) as { Id?: string };
    if (typeof raw.Id !== "string") throw badAnswer(this.socket, "/containers/create");
    return raw.Id;
  }

  /** Removes a container (`force`: even a running one); one already gone is not an error. */
  async remove(id: string, q: { force?: boolean } = {}, opts: CallOptions = {}): Promise<void> {
    try {
      await this.call("DELETE", `/containers/${enc(id)}?force=${q.force === true}&v=true`, opts);
    } catch (e) {
      if (!isEngineError(e, "not_found")) throw e;
    }
  }

  /**
   * The container's last lines, stdout and stderr told apart. Without a TTY the engine multiplexes
   * both streams in frames with an 8-byte header (stream, 0, 0, 0, length as uint32 BE); with one,
   * everything is stdout. At most `maxBytes` are read; `truncated` says the rest was dropped.
   */
  async logs(
    id: string,
    q: { tail?: number; since?: number; tty?: boolean; maxBytes?: number } = {},
    opts: CallOptions = {},
  ): Promise<{ lines: LogLine[]; truncated: boolean }> {
    const tty = q.tty ?? (await this.inspect(id, opts)).tty;
    const params = new URLSearchParams({ stdout: "1", stderr: "1", follow: "0" });
    params.set("tail", q.tail === undefined ? "all" : String(Math.max(0, Math.floor(q.tail))));
    if (q.since !== undefined) params.set("since", String(Math.floor(q.since / 1000)));
    const { body, truncated } = await this.call("GET", `/containers/${enc(id)}/logs?${params.toString()}`, {
      ...opts,
      maxBytes: q.maxBytes ?? DEFAULT_MAX_BYTES,
      truncate: true,
    });
    return { lines: tty ? splitLines("stdout", body.toString("utf8")) : demultiplex(body), truncated };
  }

  /**
   * Follows `/events` until `signal` aborts (resolves) or the stream fails or ends (rejects with an
   * EngineError: the caller reconnects, with `since` to fill the gap). `filters` is the engine's
   * own filter map: `{ type: ["container"], event: ["die", "died"], label: ["k=v"] }` (Podman's
   * compatible API filters only on its own event names, "died" for "die", and reports "die").
   * `onOpen` is called once the engine has accepted the stream.
   */
  async events(
    q: { filters?: Record<string, string[]>; since?: number },
    onEvent: (e: EngineEvent) => void,
    signal: AbortSignal,
    opts: { connectTimeoutMs?: number; onOpen?: () => void } = {},
  ): Promise<void> {
    const params = new URLSearchParams();
    if (q.filters) params.set("filters", JSON.stringify(q.filters));
    if (q.since !== undefined) params.set("since", String(Math.floor(q.since / 1000)));
    let res: IncomingMessage;
    try {
      res = await this.open("GET", `/events?${params.toString()}`, {
        timeoutMs: opts.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal,
        agent: false,
      });
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    if (res.statusCode !== 200) {
      const body = await readBounded(res, 64 * 1024, AbortSignal.timeout(DEFAULT_TIMEOUT_MS))
        .then((r) => r.body)
        .catch(() => Buffer.alloc(0));
      throw statusError(this.socket, res.statusCode ?? 0, body, "/events");
    }
    // From here the engine reports every event: what a caller checks by inspect now misses nothing.
    opts.onOpen?.();
    return new Promise<void>((resolve, reject) => {
      let pending = "";
      const finish = (err?: EngineError) => {
        signal.removeEventListener("abort", onAbort);
        res.destroy();
        if (err && !signal.aborted) reject(err);
        else resolve();
      };
      const onAbort = () => finish();
      if (signal.aborted) return finish();
      signal.addEventListener("abort", onAbort, { once: true });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          const event = line ? toEvent(line) : undefined;
          if (event) onEvent(event);
        }
        if (pending.length > MAX_EVENT_LINE) {
          finish(
            new EngineError("too_large", this.socket, `an /events line on ${this.socket} is over 256 kB`),
          );
        }
      });
      res.once("end", () =>
        finish(
          new EngineError(
            "unreachable",
            this.socket,
            `the engine at ${this.socket} ended the /events stream`,
          ),
        ),
      );
      res.once("error", (e) => finish(networkError(this.socket, e, "/events")));
    });
  }

  private async json(method: string, path: string, opts: CallOptions & { body?: unknown }): Promise<unknown> {
    const { body } = await this.call(method, path, opts);
    try {
      return JSON.parse(body.toString("utf8")) as unknown;
    } catch {
      throw badAnswer(this.socket, path.split("?")[0]!);
    }
  }

  /** One request with a deadline and a bounded answer; 2xx and 304 resolve, the rest is an EngineError. */
  private async call(
    method: string,
    path: string,
    opts: CallOptions & { body?: unknown; maxBytes?: number; truncate?: boolean },
    retried = false,
  ): Promise<{ status: number; body: Buffer; truncated: boolean }> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    let res: IncomingMessage;
    try {
      res = await this.open(method, path, { ...opts, signal, timeoutMs });
    } catch (e) {
      // A kept-alive connection the engine closed meanwhile: once more on a fresh one.
      if (!retried && isEngineError(e, "unreachable") && (e.cause as { reused?: boolean })?.reused) {
        return this.call(method, path, opts, true);
      }
      throw e;
    }
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    let body: Buffer;
    let truncated = false;
    try {
      const read = await readBounded(res, maxBytes, signal);
      body = read.body;
      truncated = read.truncated;
    } catch (e) {
      if (signal.aborted) throw gaveUp(this.socket, path, deadline.aborted ? timeoutMs : undefined);
      throw networkError(this.socket, e, path);
    }
    if (truncated && !opts.truncate) {
      throw new EngineError(
        "too_large",
        this.socket,
        `${where(path)} on ${this.socket}: answer over ${maxBytes} bytes`,
      );
    }
    const status = res.statusCode ?? 0;
    if ((status >= 200 && status < 300) || status === 304) return { status, body, truncated };
    throw statusError(this.socket, status, body, path);
  }

  /** Sends the request and resolves with the response's head. */
  private open(
    method: string,
    path: string,
    opts: { signal?: AbortSignal; timeoutMs: number; body?: unknown; agent?: false },
  ): Promise<IncomingMessage> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(networkError(this.socket, opts.signal.reason, path));
      const req: ClientRequest = http.request(
        {
          socketPath: this.socket,
          method,
          path,
          agent: opts.agent ?? this.agent,
          headers: {
            host: "docker",
            ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}),
          },
        },
        (res) => {
          settle();
          resolve(res);
        },
      );
      const headTimer = setTimeout(() => {
        settle();
        req.destroy();
        reject(
          new EngineError(
            "timeout",
            this.socket,
            `${where(path)}: the engine at ${this.socket} did not answer within ${opts.timeoutMs} ms`,
          ),
        );
      }, opts.timeoutMs);
      const onAbort = () => {
        settle();
        req.destroy();
        reject(gaveUp(this.socket, path, undefined));
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      function settle() {
        clearTimeout(headTimer);
        opts.signal?.removeEventListener("abort", onAbort);
      }
      req.once("error", (e: NodeJS.ErrnoException) => {
        settle();
        const err = networkError(this.socket, e, path);
        if (req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) err.cause = { reused: true };
        reject(err);
      });
      req.end(payload);
    });
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
