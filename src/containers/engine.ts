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

export type EngineErrorKind = "unreachable" | "timeout" | "not_found" | "status" | "too_large";

/** What went wrong talking to the engine; `message` names the socket and never holds a secret. */
export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  readonly socket: string;
  /** The engine's HTTP status, for `not_found` and `status`. */
  readonly status: number | undefined;
  constructor(kind: EngineErrorKind, socket: string, message: string, status?: number) {
    super(message);
    this.name = "EngineError";
    this.kind = kind;
    this.socket = socket;
    this.status = status;
  }
}

export function isEngineError(e: unknown, kind?: EngineErrorKind): e is EngineError {
  return e instanceof EngineError && (kind === undefined || e.kind === kind);
}

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

/** What the probes and the supervisor read of `GET /containers/{id}/json`. */
export interface ContainerInfo {
  id: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  /** created, running, paused, restarting, removing, exited, dead. */
  status: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** The engine's own count of restarts (its restart policy), not Vigil's. */
  restartCount: number;
  pid: number;
  /** ms epoch, undefined when never started. */
  startedAt: number | undefined;
  finishedAt: number | undefined;
  /** The health check's status (starting, healthy, unhealthy), when the container has one. */
  health: string | undefined;
  /** Whether the image or the container defines a HEALTHCHECK (and it is not NONE). */
  hasHealthcheck: boolean;
  labels: Record<string, string>;
  tty: boolean;
}

/** One entry of `GET /containers/json`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
}

/** One reading of `GET /containers/{id}/stats?stream=false`; CPU figures in nanoseconds. */
export interface ContainerStats {
  readAt: number;
  cpuTotal: number;
  systemCpu: number;
  /** The engine's previous sample, when it sends one (Docker does, Podman's compat API does not). */
  preCpuTotal: number;
  preSystemCpu: number;
  onlineCpus: number;
  /** Usage minus the page cache, as `docker stats` shows it. */
  memoryBytes: number;
  memoryLimit: number;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
}

export interface EngineEvent {
  /** container, image, network ... */
  type: string;
  /** create, start, die, stop, kill, health_status ... */
  action: string;
  id: string;
  attributes: Record<string, string>;
  /** ms epoch. */
  time: number;
}

export interface CreateSpec {
  Image: string;
  Cmd?: string[];
  Env?: string[];
  Labels?: Record<string, string>;
  Tty?: boolean;
  Healthcheck?: {
    Test: string[];
    Interval?: number;
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
  };
  HostConfig?: Record<string, unknown>;
  StopSignal?: string;
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
    if (!Array.isArray(raw)) throw this.badAnswer("/containers/json");
    return raw.map((c) => ({
      id: String(c.Id ?? ""),
      name: String(c.Names?.[0] ?? "").replace(/^\//, ""),
      image: String(c.Image ?? ""),
      state: dockerStatus(String(c.State ?? "")),
      status: String(c.Status ?? ""),
      labels: c.Labels ?? {},
    }));
  }

  async stats(id: string, opts: CallOptions = {}): Promise<ContainerStats> {
    const raw = (await this.json("GET", `/containers/${enc(id)}/stats?stream=false`, opts)) as RawStats;
    const mem = raw.memory_stats ?? {};
    const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? mem.stats?.cache ?? 0;
    const readAt = Date.parse(raw.read ?? "");
    return {
      readAt: Number.isFinite(readAt) ? readAt : Date.now(),
      cpuTotal: raw.cpu_stats?.cpu_usage?.total_usage ?? 0,
      systemCpu: raw.cpu_stats?.system_cpu_usage ?? 0,
      preCpuTotal: raw.precpu_stats?.cpu_usage?.total_usage ?? 0,
      preSystemCpu: raw.precpu_stats?.system_cpu_usage ?? 0,
      onlineCpus: raw.cpu_stats?.online_cpus ?? raw.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1,
      memoryBytes: Math.max(0, (mem.usage ?? 0) - cache),
      memoryLimit: mem.limit ?? 0,
    };
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
    if (typeof raw.Id !== "string") throw this.badAnswer("/containers/create");
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
      const body = await readAll(res, 64 * 1024).catch(() => Buffer.alloc(0));
      throw this.statusError(res.statusCode ?? 0, body, "/events");
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
      res.once("error", (e) => finish(this.networkError(e, "/events")));
    });
  }

  private async json(method: string, path: string, opts: CallOptions & { body?: unknown }): Promise<unknown> {
    const { body } = await this.call(method, path, opts);
    try {
      return JSON.parse(body.toString("utf8")) as unknown;
    } catch {
      throw this.badAnswer(path.split("?")[0]!);
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
      if (e instanceof TooLarge && !opts.truncate) {
        throw new EngineError(
          "too_large",
          this.socket,
          `${where(path)} on ${this.socket}: answer over ${maxBytes} bytes`,
        );
      }
      if (signal.aborted) throw this.gaveUp(path, deadline.aborted ? timeoutMs : undefined);
      throw this.networkError(e, path);
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
    throw this.statusError(status, body, path);
  }

  /** Sends the request and resolves with the response's head. */
  private open(
    method: string,
    path: string,
    opts: { signal?: AbortSignal; timeoutMs: number; body?: unknown; agent?: false },
  ): Promise<IncomingMessage> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(this.networkError(opts.signal.reason, path));
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
        reject(this.gaveUp(path, undefined));
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      function settle() {
        clearTimeout(headTimer);
        opts.signal?.removeEventListener("abort", onAbort);
      }
      req.once("error", (e: NodeJS.ErrnoException) => {
        settle();
        const err = this.networkError(e, path);
        if (req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) err.cause = { reused: true };
        reject(err);
      });
      req.end(payload);
    });
  }

  /** The call's deadline passed, or its caller's signal aborted (the check's own timeout). */
  private gaveUp(path: string, timedOutMs: number | undefined): EngineError {
    const within = timedOutMs === undefined ? "in time" : `within ${timedOutMs} ms`;
    return new EngineError(
      "timeout",
      this.socket,
      `${where(path)}: the engine at ${this.socket} did not answer ${within}`,
    );
  }

  private networkError(e: unknown, path: string): EngineError {
    if (e instanceof EngineError) return e;
    const err = e as NodeJS.ErrnoException | undefined;
    if (err?.name === "TimeoutError") {
      return new EngineError(
        "timeout",
        this.socket,
        `${where(path)}: the engine at ${this.socket} did not answer in time`,
      );
    }
    if (err?.name === "AbortError") {
      return new EngineError("timeout", this.socket, `${where(path)}: aborted`);
    }
    const why =
      err?.code === "ENOENT"
        ? "no such socket"
        : err?.code === "ECONNREFUSED"
          ? "nothing listens on it"
          : err?.code === "EACCES"
            ? "permission denied (is the agent's user in the docker group?)"
            : (err?.code ?? err?.message ?? "unknown error");
    return new EngineError(
      "unreachable",
      this.socket,
      `cannot reach the container engine at ${this.socket}: ${why}`,
    );
  }

  private statusError(status: number, body: Buffer, path: string): EngineError {
    let detail = "";
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { message?: unknown };
      if (typeof parsed.message === "string") detail = parsed.message.slice(0, 300);
    } catch {
      detail = body.toString("utf8", 0, Math.min(body.length, 300)).trim();
    }
    const tail = detail ? `: ${detail}` : "";
    if (status === 404)
      return new EngineError("not_found", this.socket, `${where(path)}: not found${tail}`, 404);
    return new EngineError(
      "status",
      this.socket,
      `${where(path)}: the engine answered ${status}${tail}`,
      status,
    );
  }

  private badAnswer(path: string): EngineError {
    return new EngineError(
      "status",
      this.socket,
      `${where(path)}: the engine at ${this.socket} sent an answer Vigil cannot read`,
      200,
    );
  }
}

class TooLarge extends Error {}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** `GET /containers/api/json` → `/containers/api/json`, without the query. */
function where(path: string): string {
  return path.split("?")[0]!;
}

async function readBounded(
  res: IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    const done = (err?: unknown, truncated = false) => {
      signal.removeEventListener("abort", onAbort);
      if (err !== undefined) {
        res.destroy();
        reject(err instanceof Error ? err : new Error("aborted"));
      } else {
        if (truncated) res.destroy();
        resolve({ body: Buffer.concat(chunks), truncated });
      }
    };
    const onAbort = () => done(signal.reason ?? new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    res.on("data", (chunk: Buffer) => {
      if (size + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - size));
        size = maxBytes;
        res.removeAllListeners("data");
        return done(undefined, true);
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    res.once("end", () => done());
    res.once("error", (e) => done(e));
  });
}

function readAll(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return readBounded(res, maxBytes, AbortSignal.timeout(DEFAULT_TIMEOUT_MS)).then((r) => r.body);
}

/** Splits the multiplexed log stream; a frame cut by the size bound is dropped. */
export function demultiplex(buf: Buffer): LogLine[] {
  const text = { stdout: "", stderr: "" };
  const lines: LogLine[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at] === 2 ? "stderr" : "stdout";
    const size = buf.readUInt32BE(at + 4);
    if (at + 8 + size > buf.length) break;
    text[kind] += buf.toString("utf8", at + 8, at + 8 + size);
    const nl = text[kind].lastIndexOf("\n");
    if (nl >= 0) {
      lines.push(...splitLines(kind, text[kind].slice(0, nl + 1)));
      text[kind] = text[kind].slice(nl + 1);
    }
    at += 8 + size;
  }
  for (const kind of ["stdout", "stderr"] as const)
    if (text[kind]) lines.push({ stream: kind, text: text[kind] });
  return lines;
}

function splitLines(stream: LogLine["stream"], s: string): LogLine[] {
  const parts = s.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((text) => ({ stream, text: text.replace(/\r$/, "") }));
}

function toEvent(line: string): EngineEvent | undefined {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const nanos = typeof raw.timeNano === "number" ? raw.timeNano / 1e6 : undefined;
  return {
    type: String(raw.Type ?? raw.type ?? ""),
    action: String(raw.Action ?? raw.status ?? ""),
    id: String(raw.Actor?.ID ?? raw.id ?? ""),
    attributes: raw.Actor?.Attributes ?? {},
    time: nanos ?? (typeof raw.time === "number" ? raw.time * 1000 : Date.now()),
  };
}

function epoch(s: string | undefined): number | undefined {
  if (!s || s.startsWith("0001-")) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Docker's words for a state: Podman says `stopped` between the exit and its cleanup, and
 * `configured` for a container never started, where Docker says `exited` and `created`.
 */
function dockerStatus(s: string): string {
  return s === "stopped" ? "exited" : s === "configured" ? "created" : s;
}

function toInfo(raw: RawInspect): ContainerInfo {
  const st = raw.State ?? {};
  const test = raw.Config?.Healthcheck?.Test;
  return {
    id: String(raw.Id ?? ""),
    name: String(raw.Name ?? "").replace(/^\//, ""),
    image: String(raw.Config?.Image ?? raw.Image ?? ""),
    status: dockerStatus(String(st.Status ?? "")),
    running: st.Running === true,
    paused: st.Paused === true,
    restarting: st.Restarting === true,
    exitCode: Number(st.ExitCode ?? 0),
    oomKilled: st.OOMKilled === true,
    restartCount: Number(raw.RestartCount ?? 0),
    pid: Number(st.Pid ?? 0),
    startedAt: epoch(st.StartedAt),
    finishedAt: epoch(st.FinishedAt),
    health: st.Health?.Status || undefined,
    hasHealthcheck: Array.isArray(test) && test.length > 0 && test[0] !== "NONE",
    labels: raw.Config?.Labels ?? {},
    tty: raw.Config?.Tty === true,
  };
}

interface RawInspect {
  Id?: string;
  Name?: string;
  Image?: string;
  RestartCount?: number;
  State?: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    OOMKilled?: boolean;
    ExitCode?: number;
    Pid?: number;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status?: string };
  };
  Config?: {
    Image?: string;
    Tty?: boolean;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[] };
  };
}

interface RawSummary {
  Id?: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
  Labels?: Record<string, string> | null;
}

interface RawStats {
  read?: string;
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: {
    usage?: number;
    limit?: number;
    stats?: { inactive_file?: number; total_inactive_file?: number; cache?: number };
  };
}

interface RawEvent {
  Type?: string;
  type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}
