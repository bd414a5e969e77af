import type { Migration } from "./index.ts";

/**
 * The agent that started each action run. Agents of a fleet share one database: at start each
 * recovers only the runs it left unfinished itself, never those another agent is running now.
 */
const sql = "ALTER TABLE action_runs ADD COLUMN agent TEXT;";

export const m009: Migration = {
  version: 9,
  name: "agent of action runs",
  sqlite: sql,
  postgres: sql,
};
