import type { Migration } from "./index.ts";

/**
 * Who is delivering a notification now: the start (fleet instance) that claimed it, and until when.
 * Agents sharing a store each deliver only what they claimed, so a notification goes out once; a
 * claim whose holder left the fleet (its lease lapsed) is free again.
 */
const sql = (big: string) => `
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claim_until ${big};
`;

export const m012: Migration = {
  version: 12,
  name: "outbox claims",
  sqlite: sql("INTEGER"),
  postgres: sql("BIGINT"),
};
