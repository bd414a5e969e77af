import type { Migration } from "./index.ts";

/**
 * Alerts that Alertmanager posted to one agent and `alertmanager.routes[].agent` gives to another:
 * the receiver writes a row for the named agent, which takes its rows in `seq` order, applies them
 * and deletes them (src/alertmanager/relay.ts). `alert` is the alert's JSON as it was posted.
 */
const tables = (seq: string, big: string) => `
    CREATE TABLE routed_alerts (
      seq ${seq},
      agent TEXT NOT NULL,
      alert TEXT NOT NULL,
      receiver TEXT NOT NULL,
      sent_by TEXT NOT NULL,
      from_agent TEXT NOT NULL,
      created_at ${big} NOT NULL
    );
    CREATE INDEX routed_alerts_agent ON routed_alerts (agent, seq);
`;

export const m015: Migration = {
  version: 15,
  name: "alerts routed to another agent",
  sqlite: tables("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
  postgres: tables("BIGSERIAL PRIMARY KEY", "BIGINT"),
};
