import type { Migration } from "./index.ts";

/**
 * The event an approval request is still to be announced with (its parameters redacted, as the
 * event has them), written with the request and cleared once the event is in the audit log: a
 * `kill -9` between the two leaves it here, and the next start announces it (core/announce.ts)
 * rather than the request waiting untold until its reminder.
 */
const sql = "ALTER TABLE approvals ADD COLUMN announce TEXT;";

export const m021: Migration = {
  version: 21,
  name: "approval announcements",
  sqlite: sql,
  postgres: sql,
};
