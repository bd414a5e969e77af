/**
 * The one error catalog. Every failure the agent reports carries a stable code from here; the HTTP
 * status, the CLI exit code and whether a caller may retry are read from this table, never from
 * message text. `errors.test.ts` keeps the catalog, the docs and the exit codes in step.
 */

export interface ErrorSpec {
  /** HTTP status when this error answers a request. */
  readonly status: number;
  /**
   * CLI exit code: 1 the operation failed, 2 bad usage or invalid config, 3 agent not reachable. (4 is
   * no error: `vigil verify` answering UNVERIFIABLE, cli/commands/governance.ts.)
   */
  readonly exit: 1 | 2 | 3;
  /** Whether the same call may succeed later without anything changing on the caller's side. */
  readonly retryable: boolean;
  /** One line for the docs. */
  readonly doc: string;
}

export const errorCatalog = {
  BAD_REQUEST: {
    status: 400,
    exit: 2,
    retryable: false,
    doc: "The request is malformed (JSON, fields, types).",
  },
  VALIDATION_FAILED: {
    status: 400,
    exit: 2,
    retryable: false,
    doc: "A field has a value outside what it accepts.",
  },
  UNAUTHENTICATED: {
    status: 401,
    exit: 1,
    retryable: false,
    doc: "No bearer token, or one the agent does not know; or a dashboard session that has ended.",
  },
  FORBIDDEN: {
    status: 403,
    exit: 1,
    retryable: false,
    doc: "The token's role is below what the route needs, or a write with the session cookie lacks its X-CSRF-Token.",
  },
  NOT_FOUND: {
    status: 404,
    exit: 1,
    retryable: false,
    doc: "No such route, target, run, approval or event.",
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    exit: 1,
    retryable: false,
    doc: "The route exists but not with this method.",
  },
  CONFLICT: { status: 409, exit: 1, retryable: false, doc: "The object is not in a state that allows this." },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    exit: 2,
    retryable: false,
    doc: "The request body is over the size limit.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    exit: 2,
    retryable: false,
    doc: "The body is not application/json.",
  },
  RATE_LIMITED: {
    status: 429,
    exit: 1,
    retryable: true,
    doc: "Too many failed authentications from this address or against this identity, or too many open event streams; wait (see Retry-After).",
  },
  HOST_NOT_ALLOWED: {
    status: 421,
    exit: 1,
    retryable: false,
    doc: "The Host header is not the agent's listen address or one of agent.allowed_hosts (DNS rebinding is refused).",
  },
  ORIGIN_NOT_ALLOWED: {
    status: 403,
    exit: 1,
    retryable: false,
    doc: "A state-changing request came from a page whose Origin is not the agent's own.",
  },
  CONFIG_INVALID: { status: 400, exit: 2, retryable: false, doc: "vigil.yaml has problems; each is listed." },
  DATA_DIR_UNWRITABLE: {
    status: 500,
    exit: 2,
    retryable: false,
    doc: "agent.data_dir cannot be created or written.",
  },
  DATA_DIR_UNSAFE: {
    status: 500,
    exit: 2,
    retryable: false,
    doc: "A file the agent keeps in agent.data_dir is a symbolic link, not a plain file of its user, or the folder is writable by others.",
  },
  STORE_TOO_NEW: {
    status: 500,
    exit: 2,
    retryable: false,
    doc: "The database was written by a newer Vigil.",
  },
  STORE_CORRUPT: {
    status: 500,
    exit: 2,
    retryable: false,
    doc: "The database file is damaged or not a database; the message names it and what to do.",
  },
  STORE_UNAVAILABLE: {
    status: 503,
    exit: 1,
    retryable: true,
    doc: "The database did not answer or cannot write (disk full, I/O error); retry once it can.",
  },
  LISTEN_FAILED: {
    status: 500,
    exit: 2,
    retryable: false,
    doc: "agent.listen cannot be bound (in use or invalid).",
  },
  AGENT_NAME_TAKEN: {
    status: 409,
    exit: 2,
    retryable: false,
    doc: "Another live agent holds this agent.name in the store (or the SQLite store at all).",
  },
  AGENT_UNREACHABLE: { status: 503, exit: 3, retryable: true, doc: "No agent answered at the URL tried." },
  AUDIT_TAMPERED: {
    status: 200,
    exit: 1,
    retryable: false,
    doc: "The audit chain is broken at the named seq.",
  },
  ENGINE_UNREACHABLE: {
    status: 503,
    exit: 1,
    retryable: true,
    doc: "The container engine (agent.docker) did not answer on its socket.",
  },
  TIMEOUT: { status: 504, exit: 1, retryable: true, doc: "An external call did not answer in time." },
  INTERNAL: { status: 500, exit: 1, retryable: false, doc: "A bug: the agent logged the details." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

/** An error with a stable code; `details` is safe to show (no secrets). */
export class VigilError extends Error {
  override readonly name = "VigilError";
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options?: { details?: unknown; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get exitCode(): 1 | 2 | 3 {
    return errorCatalog[this.code].exit;
  }

  get retryable(): boolean {
    return errorCatalog[this.code].retryable;
  }
}

/** True for a VigilError with one of the given codes; matches by name so it works across realms. */
export function isVigilError(e: unknown, ...codes: ErrorCode[]): e is VigilError {
  if (!(e instanceof Error) || e.name !== "VigilError") return false;
  return codes.length === 0 || codes.includes((e as VigilError).code);
}
