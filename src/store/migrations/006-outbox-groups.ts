import type { Migration } from "./index.ts";

/** Grouping looks up the waiting and the last sent notification of one target on one channel. */
const sql = "CREATE INDEX outbox_group ON outbox (channel, target, status);";

export const m006: Migration = {
  version: 6,
  name: "outbox grouping index",
  sqlite: sql,
  postgres: sql,
};
