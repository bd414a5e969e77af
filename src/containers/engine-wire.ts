/**
 * The engine's answers as Vigil reads them: inspect, list, stats, events and the multiplexed log
 * stream, each turned from the engine's JSON (Docker's, or Podman's compatible one) into a plain
 * shape, with Podman's words for states said as Docker's.
 */
import { StringDecoder } from "node:string_decoder";

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

/**
 * Splits the multiplexed log stream; a frame cut by the size bound is dropped. A frame is one write
 * of the container's: a line printed a byte at a time comes in a frame per byte. So only the new
 * frame is searched for a newline (searching all of the line so far took 5 s over 1 MiB of
 * one-byte frames), lines are added one by one (a frame of a million newlines spread as arguments
 * overflowed the stack), and each stream is decoded as a stream, so a character across two
 * frames stays whole.
 */
export function demultiplex(buf: Buffer): LogLine[] {
  const text = { stdout: "", stderr: "" };
  const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  const lines: LogLine[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const kind = buf[at] === 2 ? "stderr" : "stdout";
    const size = buf.readUInt32BE(at + 4);
    if (at + 8 + size > buf.length) break;
    const piece = decoders[kind].write(buf.subarray(at + 8, at + 8 + size));
    const nl = piece.lastIndexOf("\n");
    if (nl < 0) text[kind] += piece;
    else {
      for (const line of splitLines(kind, text[kind] + piece.slice(0, nl + 1))) lines.push(line);
      text[kind] = piece.slice(nl + 1);
    }
    at += 8 + size;
  }
  for (const kind of ["stdout", "stderr"] as const) {
    text[kind] += decoders[kind].end();
    if (text[kind]) lines.push({ stream: kind, text: text[kind] });
  }
  return lines;
}

export function splitLines(stream: LogLine["stream"], s: string): LogLine[] {
  const parts = s.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((text) => ({ stream, text: text.endsWith("\r") ? text.slice(0, -1) : text }));
}

export function toEvent(line: string): EngineEvent | undefined {
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
export function dockerStatus(s: string): string {
  return s === "stopped" ? "exited" : s === "configured" ? "created" : s;
}

export function toInfo(raw: RawInspect): ContainerInfo {
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

export interface RawInspect {
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

export interface RawSummary {
  Id?: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
  Labels?: Record<string, string> | null;
}

export interface RawStats {
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

/** One entry of `GET /containers/json`. */
export function toSummary(c: RawSummary): ContainerSummary {
  return {
    id: String(c.Id ?? ""),
    name: String(c.Names?.[0] ?? "").replace(/^\//, ""),
    image: String(c.Image ?? ""),
    state: dockerStatus(String(c.State ?? "")),
    status: String(c.Status ?? ""),
    labels: c.Labels ?? {},
  };
}

/** A stats reading, the page cache taken out of memory as `docker stats` does. */
export function toStats(raw: RawStats): ContainerStats {
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
