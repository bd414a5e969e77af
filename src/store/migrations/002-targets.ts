import type { Migration } from "./index.ts";

/**
 * Targets (services and checks) with the state that must survive a restart, the last results of
 * each, and per-minute aggregates for uptime and latency.
 */
export const m002: Migration = {
  version: 2,
  name: "targets and results",
  sqlite: `
    CREATE TABLE targets (
      name TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      state TEXT NOT NULL,
      since INTEGER NOT NULL,
      health TEXT NOT NULL,
      service TEXT,
      last_result TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE results (
      id INTEGER PRIMARY KEY,
      target TEXT NOT NULL,
      ts INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL,
      summary TEXT NOT NULL
    );
    CREATE INDEX results_target_id ON results (target, id);
    CREATE TABLE result_minutes (
      target TEXT NOT NULL,
      minute INTEGER NOT NULL,
      total INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      p50_ms REAL NOT NULL,
      p95_ms REAL NOT NULL,
      PRIMARY KEY (target, minute)
    );
  `,
  postgres: `
    CREATE TABLE targets (
      name TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      state TEXT NOT NULL,
      since BIGINT NOT NULL,
      health TEXT NOT NULL,
      service TEXT,
      last_result TEXT,
      updated_at BIGINT NOT NULL
    );
    CREATE TABLE results (
      id BIGSERIAL PRIMARY KEY,
      target TEXT NOT NULL,
      ts BIGINT NOT NULL,
      ok INTEGER NOT NULL,
      duration_ms INTEGER NOT NULL,
      summary TEXT NOT NULL
    );
    CREATE INDEX results_target_id ON results (target, id);
    CREATE TABLE result_minutes (
      target TEXT NOT NULL,
      minute BIGINT NOT NULL,
      total INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      p50_ms DOUBLE PRECISION NOT NULL,
      p95_ms DOUBLE PRECISION NOT NULL,
      PRIMARY KEY (target, minute)
    );
  `,
};
