import type { Migration } from "./index.ts";

/** The audit log and a small key-value table for agent state (kill switch, admin token hash, ...). */
export const m001: Migration = {
  version: 1,
  name: "audit log and meta",
  sqlite: `
    CREATE TABLE audit_events (
      seq INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      actor TEXT NOT NULL,
      type TEXT NOT NULL,
      subject TEXT NOT NULL,
      payload TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  postgres: `
    CREATE TABLE audit_events (
      seq BIGINT PRIMARY KEY,
      ts BIGINT NOT NULL,
      actor TEXT NOT NULL,
      type TEXT NOT NULL,
      subject TEXT NOT NULL,
      payload TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
    CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
};
