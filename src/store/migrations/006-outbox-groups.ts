import type { Migration } from "./index.ts";

/**
 * Grouping looks up the waiting and the last sent notification of one target on one channel; dedup
 * looks a notice's key up across channels (the unique (channel, key) index starts with the channel).
 */
const sql = `CREATE INDEX outbox_group ON outbox (channel, target, status);
    CREATE INDEX outbox_key ON outbox (dedup_key);`;

export const m006: Migration = {
  version: 6,
  name: "outbox grouping and key indexes",
  sqlite: sql,
  postgres: sql,
};
