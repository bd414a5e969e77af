import type { Migration } from "./index.ts";

/**
 * Scheduled jobs: per agent and job, the last time its schedule named that the agent dealt with (so
 * the next start knows what it missed while down), and its last run and result.
 */
const tables = (big: string) => `
    CREATE TABLE jobs (
      agent TEXT NOT NULL,
      name TEXT NOT NULL,
      scheduled_at ${big} NOT NULL,
      started_at ${big},
      finished_at ${big},
      status TEXT,
      run_id TEXT,
      approval_id TEXT,
      detail TEXT,
      PRIMARY KEY (agent, name)
    );
`;

export const m010: Migration = {
  version: 10,
  name: "scheduled jobs",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
