/**
 * What goes wrong talking to the container engine, as the one error type callers act on: the
 * engine is unreachable (naming the socket), the container is not there, the engine answered
 * status N, it took too long, or its answer was too large. No message ever holds a secret.
 */

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

/** `GET /containers/api/json` → `/containers/api/json`, without the query. */
export function where(path: string): string {
  return path.split("?")[0]!;
}

/** The call's deadline passed, or its caller's signal aborted (the check's own timeout). */
export function gaveUp(socket: string, path: string, timedOutMs: number | undefined): EngineError {
  const within = timedOutMs === undefined ? "in time" : `within ${timedOutMs} ms`;
  return new EngineError(
    "timeout",
    socket,
    `${where(path)}: the engine at ${socket} did not answer ${within}`,
  );
}

export function networkError(socket: string, e: unknown, path: string): EngineError {
  if (e instanceof EngineError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  if (err?.name === "TimeoutError") {
    return new EngineError(
      "timeout",
      socket,
      `${where(path)}: the engine at ${socket} did not answer in time`,
    );
  }
  if (err?.name === "AbortError") {
    return new EngineError("timeout", socket, `${where(path)}: aborted`);
  }
  const why =
    err?.code === "ENOENT"
      ? "no such socket"
      : err?.code === "ECONNREFUSED"
        ? "nothing listens on it"
        : err?.code === "EACCES"
          ? "permission denied (is the agent's user in the docker group?)"
          : (err?.code ?? err?.message ?? "unknown error");
  return new EngineError("unreachable", socket, `cannot reach the container engine at ${socket}: ${why}`);
}

export function statusError(socket: string, status: number, body: Buffer, path: string): EngineError {
  let detail = "";
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { message?: unknown };
    if (typeof parsed.message === "string") detail = parsed.message.slice(0, 300);
  } catch {
    detail = body.toString("utf8", 0, Math.min(body.length, 300)).trim();
  }
  const tail = detail ? `: ${detail}` : "";
  if (status === 404) return new EngineError("not_found", socket, `${where(path)}: not found${tail}`, 404);
  return new EngineError("status", socket, `${where(path)}: the engine answered ${status}${tail}`, status);
}

export function badAnswer(socket: string, path: string): EngineError {
  return new EngineError(
    "status",
    socket,
    `${where(path)}: the engine at ${socket} sent an answer Vigil cannot read`,
    200,
  );
}
