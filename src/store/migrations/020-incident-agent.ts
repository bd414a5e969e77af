import type { Migration } from "./index.ts";

/**
 * The agent whose incident it is. Agents sharing a PostgreSQL store each go on with their own open
 * incidents after a start (before, each took every agent's, and escalated the ones it had no runbook
 * for); a row written before (no agent) is everyone's.
 */
const sql = "ALTER TABLE incidents ADD COLUMN agent TEXT;";

export const m020: Migration = {
  version: 20,
  name: "agent of incidents",
  sqlite: sql,
  postgres: sql,
};
