import type { Migration } from "./index.ts";

/**
 * The agent each stored target belongs to. Agents sharing a PostgreSQL store each restore, save and
 * forget only their own targets; a row written before (no agent) is taken by the first agent that
 * configures it.
 */
const sql = "ALTER TABLE targets ADD COLUMN agent TEXT;";

export const m016: Migration = {
  version: 16,
  name: "agent of targets",
  sqlite: sql,
  postgres: sql,
};
