/** The CLI's HTTP client: a timeout on every call, API errors mapped back to catalog codes. */
import { errorCatalog, type ErrorCode, VigilError } from "../core/errors.ts";
import type { AgentTarget } from "./target.ts";

const timeoutMs = 15_000;

export class AgentClient {
  readonly #target: AgentTarget;

  constructor(target: AgentTarget) {
    this.#target = target;
  }

  get url(): string {
    return this.#target.url;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.raw(method, path, body);
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new VigilError("INTERNAL", `${this.url}${path} answered ${res.status} with a non-JSON body`);
    }
    if (!res.ok) throw fromApiError(json, res.status, this.#target.tokenSource);
    return json as T;
  }

  /** The raw response, for streams; fails with AGENT_UNREACHABLE naming the URL when nobody answers. */
  async raw(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#target.token) headers.authorization = `Bearer ${this.#target.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new VigilError(
        "AGENT_UNREACHABLE",
        `no agent answered at ${this.url} (${cause}); start one with \`vigil up\`, or set VIGIL_URL`,
      );
    }
  }
}

function fromApiError(json: unknown, status: number, tokenSource: string | undefined): VigilError {
  const err = (json as { error?: { code?: string; message?: string; details?: unknown } }).error;
  const code = err?.code && err.code in errorCatalog ? (err.code as ErrorCode) : "INTERNAL";
  // Say where the token was looked for: a deleted admin.token is written again by `kill -HUP <agent pid>`.
  const hint =
    code === "UNAUTHENTICATED"
      ? ` (token from ${tokenSource ?? "nowhere"}; set VIGIL_TOKEN, or run where the agent's data_dir/admin.token is readable; a deleted admin.token is written again when the agent reloads: kill -HUP <its pid>)`
      : "";
  return new VigilError(code, `${err?.message ?? `HTTP ${status}`}${hint}`, { details: err?.details });
}
