/**
 * The fleet's shared checks as the agents table tells them: a check this config shares that the
 * live agents define differently, or that some of them do not configure. This config stands for
 * its own agent (`agent.name`): it is what that agent runs after its next start or reload.
 * Read-only, one connection, every call bounded by the doctor's timeout.
 */
import { describeDisagreement, disagreements } from "../fleet/disagreements.ts";
import type { MemberInfo } from "../fleet/membership.ts";
import { configuredSecrets } from "../config/secrets.ts";
import { sharedDefinitions } from "../fleet/shared-config.ts";
import { AgentStore } from "../store/agent-store.ts";
import { PostgresDb } from "../store/postgres/db.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem, skipped } from "./finding.ts";
import { withTimeout } from "./network.ts";

/** At most this many disagreements are listed one by one. */
const listed = 20;

export async function checkFleet(ctx: DoctorContext): Promise<Finding[]> {
  const { store, name } = ctx.config.agent;
  if (store === "sqlite") return [];
  const thing = "fleet shared checks";
  const db = new PostgresDb(store, {
    max: 1,
    connectionTimeoutMs: ctx.timeoutMs,
    statementTimeoutMs: ctx.timeoutMs,
  });
  try {
    const rows = await withTimeout(new AgentStore(db).list(), ctx.timeoutMs + 500, () => undefined);
    if (!rows) return [skipped(thing, "the store did not answer in time (see agent.store)")];
    const now = ctx.now();
    const published = new Map<string, Record<string, string>>();
    for (const r of rows) {
      if (r.lease_until <= now || r.name === name) continue;
      const shared = (JSON.parse(r.info) as Partial<MemberInfo>).shared;
      if (shared) published.set(r.name, shared);
    }
    const mine = sharedDefinitions(ctx.config, configuredSecrets(ctx.config));
    published.set(name, mine);
    const found = disagreements(published);
    if (found.length === 0)
      return [ok(thing, `${published.size} agent(s) agree on ${Object.keys(mine).length} shared check(s)`)];
    const fix =
      "give each agent the same definition of the check (or another name for each), or run_on: self where it should stay";
    return [
      ...found.slice(0, listed).map((d) => problem(`shared check ${d.check}`, describeDisagreement(d), fix)),
      ...(found.length > listed
        ? [problem(thing, `and ${found.length - listed} more shared checks`, fix)]
        : []),
    ];
  } catch (e) {
    // The schema is not there yet (no agent has started on it), or the store failed: checkStore says which.
    return [skipped(thing, `the agents table could not be read (${(e as Error).message.slice(0, 200)})`)];
  } finally {
    await db.close().catch(() => undefined);
  }
}
