import type { Migration } from "./index.ts";

/**
 * The notification outbox: every notification is written here before any delivery attempt, one row
 * per channel, unique per (channel, key) so the same fact is never queued twice for a channel.
 */
const tables = (big: string) => `
    CREATE TABLE outbox (
      id TEXT PRIMARY KEY,
      channel TEXT NOT NULL,
      dedup_key TEXT NOT NULL,
      kind TEXT NOT NULL,
      target TEXT,
      body TEXT NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      next_at ${big} NOT NULL,
      created_at ${big} NOT NULL,
      sent_at ${big},
      last_error TEXT,
      UNIQUE (channel, dedup_key)
    );
    CREATE INDEX outbox_due ON outbox (status, next_at);
`;

export const m005: Migration = {
  version: 5,
  name: "notification outbox",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
