import type { Migration } from "./index.ts";

/**
 * The event an incident's change is still to be announced with, written with the change itself and
 * cleared once the event is in the audit log: a `kill -9` between the two leaves it here, and the
 * next start announces it (incidents/announce.ts) instead of the change going untold.
 */
const sql = "ALTER TABLE incidents ADD COLUMN announce TEXT;";

export const m019: Migration = {
  version: 19,
  name: "incident announcements",
  sqlite: sql,
  postgres: sql,
};
