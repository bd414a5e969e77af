/**
 * The agent's API as the page uses it: same-origin requests that carry the HttpOnly session cookie,
 * with the session's CSRF token in `X-CSRF-Token` on every write. The page never sees the login
 * token after the login request itself.
 */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let csrfToken: string | null = null;
let onLoggedOut: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (expired, logged out, or its token removed). */
export function whenLoggedOut(fn: () => void): void {
  onLoggedOut = fn;
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (data as ErrorBody | null)?.error;
    if (res.status === 401 && path !== "/api/session") onLoggedOut();
    throw new ApiError(res.status, err?.code ?? "HTTP", err?.message ?? `the agent answered ${res.status}`);
  }
  return data as T;
}

/** A write's error as a person reads it. */
export function problem(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
