import type { Migration } from "./index.ts";

/**
 * Dashboard sessions, shared by every agent on the store. `id` is the SHA-256 of the cookie's id and
 * `owner` of the token (both base64url), so the table holds nothing that logs anyone in. `seq` orders
 * one owner's sessions oldest first for the per-token cap, even when two share a millisecond.
 */
const tables = (seq: string, big: string) => `
    CREATE TABLE sessions (
      seq ${seq},
      id TEXT NOT NULL UNIQUE,
      owner TEXT NOT NULL,
      csrf TEXT NOT NULL,
      expires_at ${big} NOT NULL
    );
    CREATE INDEX sessions_owner ON sessions (owner, seq);
    CREATE INDEX sessions_expiry ON sessions (expires_at);
`;

export const m014: Migration = {
  version: 14,
  name: "dashboard sessions",
  sqlite: tables("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
  postgres: tables("BIGSERIAL PRIMARY KEY", "BIGINT"),
};
