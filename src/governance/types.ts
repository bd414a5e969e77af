/**
 * Governance for AI assistants: what a claim verdict and an instruction check look like, and the two
 * functions the API, the CLI, the claims watcher and the MCP server reach them through. The shapes
 * are the HTTP API's (`POST /api/verify`, `POST /api/check`), so every surface answers alike.
 *
 * Must not import: anything of the agent; this file is the contract between its parts.
 */

export type VerdictName = "TRUE" | "FALSE" | "UNVERIFIABLE";

/** One observation behind a verdict: what was looked at, what the claim says, what was seen. */
export interface ClaimCheck {
  /** "process nginx", "port 127.0.0.1:8080", "file /srv/out/report.txt". */
  what: string;
  /** What the claim says of it: "running", "listening", "exists, contains \"done\"". */
  expected: string;
  /** What was seen: "2 processes (pid 41, 57)", "connection refused", "no such file". */
  observed: string;
  ok: boolean;
}

export interface Verdict {
  verdict: VerdictName;
  claim: string;
  checks: ClaimCheck[];
  /** One line a person reads: why this verdict ("no check for 'tests pass'" for UNVERIFIABLE). */
  evidence: string;
}

/** Who asked: a token's name for the API and MCP, `worker` (and the file) for the claims watcher. */
export interface ClaimOrigin {
  by: string;
  source: "api" | "watcher" | "mcp";
}

/** Verifies one claim: audited (`claim.verified`), a FALSE one notified (`claim.false`). */
export interface ClaimVerifier {
  verify(claim: string, origin: ClaimOrigin): Promise<Verdict>;
}

export interface InstructionCheck {
  ok: boolean;
  /** Required sections not found at all. */
  missing: string[];
  /** Required sections found with nothing under them. */
  empty: string[];
  /** Every required section found, by its configured name, with its text. */
  sections: Record<string, string>;
}
