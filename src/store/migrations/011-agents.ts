import type { Migration } from "./index.ts";

/**
 * The fleet's members: one row per agent name, held by the running instance that renews its lease.
 * A lapsed lease frees the name; `lease_until` 0 is a clean stop.
 */
const tables = (big: string) => `
    CREATE TABLE agents (
      name TEXT PRIMARY KEY,
      instance TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      version TEXT NOT NULL,
      started_at ${big} NOT NULL,
      renewed_at ${big} NOT NULL,
      lease_until ${big} NOT NULL,
      info TEXT NOT NULL
    );
`;

export const m011: Migration = {
  version: 11,
  name: "fleet members",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
