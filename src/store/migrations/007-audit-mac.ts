import type { Migration } from "./index.ts";

/**
 * Each audit row's MAC (`<key id>:<hex>`, see audit/key.ts), made with a key kept outside the
 * database. NULL for rows written before the key existed: those still verify by their hash and are
 * reported as not MACed. Adding a nullable column rewrites no row, so the append-only triggers
 * never fire.
 */
const sql = "ALTER TABLE audit_events ADD COLUMN mac TEXT;";

export const m007: Migration = {
  version: 7,
  name: "audit row MACs",
  sqlite: sql,
  postgres: sql,
};
