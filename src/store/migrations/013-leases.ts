import type { Migration } from "./index.ts";

/**
 * Work that one agent of a fleet does for all (the Telegram poller): who holds it, until when. A
 * holder is a fleet instance; one whose agent lease lapsed holds nothing.
 */
const tables = (big: string) => `
    CREATE TABLE leases (
      name TEXT PRIMARY KEY,
      holder TEXT NOT NULL,
      until ${big} NOT NULL
    );
`;

export const m013: Migration = {
  version: 13,
  name: "leader leases",
  sqlite: tables("INTEGER"),
  postgres: tables("BIGINT"),
};
