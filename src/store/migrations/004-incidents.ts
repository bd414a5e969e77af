import type { Migration } from "./index.ts";

/**
 * Incidents with their timelines, every remediation attempt (what ran for which failure, and whether
 * the target recovered: the statistics are read from here), and silences.
 */
const tables = (big: string) => `
    CREATE TABLE incidents (
      id TEXT PRIMARY KEY,
      target TEXT NOT NULL,
      failure_class TEXT NOT NULL,
      status TEXT NOT NULL,
      escalated INTEGER NOT NULL,
      escalation TEXT,
      linked_to TEXT,
      opened_at ${big} NOT NULL,
      resolved_at ${big},
      reopened INTEGER NOT NULL
    );
    CREATE INDEX incidents_target ON incidents (target, opened_at);
    CREATE INDEX incidents_status ON incidents (status, opened_at);
    CREATE TABLE incident_timeline (
      incident_id TEXT NOT NULL,
      ts ${big} NOT NULL,
      kind TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX incident_timeline_id ON incident_timeline (incident_id, ts);
    CREATE TABLE remediation_attempts (
      id TEXT PRIMARY KEY,
      incident_id TEXT NOT NULL,
      target TEXT NOT NULL,
      failure_class TEXT NOT NULL,
      action TEXT NOT NULL,
      status TEXT NOT NULL,
      detail TEXT NOT NULL,
      run_id TEXT,
      approval_id TEXT,
      started_at ${big} NOT NULL,
      acted_at ${big},
      finished_at ${big},
      recovered_ms ${big}
    );
    CREATE INDEX remediation_attempts_incident ON remediation_attempts (incident_id, started_at);
    CREATE INDEX remediation_attempts_started ON remediation_attempts (started_at);
    CREATE TABLE silences (
      id TEXT PRIMARY KEY,
      target TEXT NOT NULL,
      starts_at ${big} NOT NULL,
      ends_at ${big} NOT NULL,
      reason TEXT NOT NULL,
      created_by TEXT NOT NULL,
      deleted_at ${big}
    );
`;

export const m004: Migration = {
  version: 4,
  name: "incidents, remediation attempts, silences",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
