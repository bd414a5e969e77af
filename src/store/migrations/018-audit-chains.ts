import type { Migration } from "./index.ts";

/**
 * One audit hash chain per agent. Each row names the chain it belongs to (`chain`: the agent.name of
 * the agent that wrote it); `prev_hash` links within that chain, and each agent's anchor holds the
 * head of its own chain. `seq` stays one sequence over the whole table (the write lock still orders
 * every append), so tail, export and paging keep their order across chains.
 *
 * Existing rows keep `chain` NULL: the legacy chain. On SQLite it stays the one chain, and its agent
 * keeps appending to it (rows with no chain), so nothing changes there. On PostgreSQL it holds the
 * rows several agents wrote into one chain before this version; it is closed, and it still verifies
 * as before: links and seqs, each agent's MACs on its own rows, and an anchor file from before (which
 * names no chain) held to it. Each agent's first row links to the legacy chain's last row instead of
 * to the genesis hash, so every agent's anchor also vouches for the legacy chain's end: a row cut off
 * it breaks the first link of every agent's chain. Adding a nullable column and an index rewrites no
 * row, so the append-only triggers never fire.
 */
const sql = `
  ALTER TABLE audit_events ADD COLUMN chain TEXT;
  CREATE INDEX audit_events_chain ON audit_events (chain, seq);
`;

export const m018: Migration = {
  version: 18,
  name: "audit chain per agent",
  sqlite: sql,
  postgres: sql,
};
