import type { Migration } from "./index.ts";

/**
 * The processes a running action started (pid and start time of each process-group leader, JSON), so
 * an agent that was killed mid-run can stop what is left of them at its next start.
 */
const sql = "ALTER TABLE action_runs ADD COLUMN processes TEXT;";

export const m008: Migration = {
  version: 8,
  name: "processes of running actions",
  sqlite: sql,
  postgres: sql,
};
