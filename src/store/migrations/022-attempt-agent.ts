import type { Migration } from "./index.ts";

/**
 * The agent that made each remediation attempt. Agents sharing a PostgreSQL store each interrupt,
 * at start, only the attempts they left running, count only their own against their hourly budget,
 * and an agent holding a shared check's incident interrupts a step whose agent has died, whenever
 * it dies (migration 020's incident owner says who holds the incident, not who runs its step).
 * A row written before (no agent) is everyone's.
 */
const sql = "ALTER TABLE remediation_attempts ADD COLUMN agent TEXT;";

export const m022: Migration = {
  version: 22,
  name: "agent of remediation attempts",
  sqlite: sql,
  postgres: sql,
};
