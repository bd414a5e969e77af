import type { Migration } from "./index.ts";

/**
 * The gateway's records: every action run, every approval request with its decisions, and the ids of
 * capability tokens already spent (a token is good once).
 */
const tables = (big: string) => `
    CREATE TABLE action_runs (
      id TEXT PRIMARY KEY,
      action TEXT NOT NULL,
      params TEXT NOT NULL,
      target TEXT,
      requested_by TEXT NOT NULL,
      reason TEXT NOT NULL,
      approval_id TEXT,
      status TEXT NOT NULL,
      result TEXT,
      started_at ${big} NOT NULL,
      finished_at ${big}
    );
    CREATE INDEX action_runs_action ON action_runs (action, started_at);
    CREATE TABLE approvals (
      id TEXT PRIMARY KEY,
      action TEXT NOT NULL,
      params TEXT NOT NULL,
      target TEXT,
      reason TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      requested_at ${big} NOT NULL,
      expires_at ${big} NOT NULL,
      required INTEGER NOT NULL,
      status TEXT NOT NULL,
      assessment TEXT NOT NULL,
      run_id TEXT,
      decided_at ${big}
    );
    CREATE INDEX approvals_status ON approvals (status, requested_at);
    CREATE TABLE approval_decisions (
      approval_id TEXT NOT NULL,
      decided_by TEXT NOT NULL,
      decision TEXT NOT NULL,
      note TEXT NOT NULL,
      at ${big} NOT NULL,
      PRIMARY KEY (approval_id, decided_by)
    );
    CREATE TABLE spent_capabilities (
      jti TEXT PRIMARY KEY,
      approval_id TEXT NOT NULL,
      spent_at ${big} NOT NULL
    );
`;

export const m003: Migration = {
  version: 3,
  name: "action runs, approvals, spent capabilities",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
