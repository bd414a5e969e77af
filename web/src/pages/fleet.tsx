/**
 * The agents sharing this agent's store: alive, dead (its lease lapsed) or stopped, where each runs,
 * when it was last seen, and its targets and open incidents. Nothing in this agent's event stream
 * says when another agent joins or dies, so the page reads `/api/fleet` again every few seconds.
 */
import { useEffect } from "preact/hooks";
import { loadFleet } from "../data.ts";
import { ago, memberClass } from "../format.ts";
import type { State } from "../store.ts";
import type { Member } from "../types.ts";

/** About a lease's renewal (agent.lease defaults to 10 s): a death shows within seconds. */
const everyMs = 3_000;

const count = (n: number | null) => (n === null ? "–" : String(n));

function MemberRow({ m, now }: { m: Member; now: number }) {
  return (
    <tr data-agent={m.name} data-state={m.state}>
      <td>
        <span class={`badge ${memberClass(m.state)}`}>{m.state}</span>
      </td>
      <td>
        <strong>{m.name}</strong>
        {m.self && <span class="dim"> (this agent)</span>}
      </td>
      <td>
        {m.host} <span class="dim">pid {m.pid}</span>
      </td>
      <td class="dim">{m.version}</td>
      <td title={new Date(m.last_seen).toLocaleString()}>{ago(m.last_seen, now)}</td>
      <td title={new Date(m.started_at).toLocaleString()}>{ago(m.started_at, now)}</td>
      <td class="num">{count(m.targets)}</td>
      <td class="num">{count(m.open_incidents)}</td>
    </tr>
  );
}

export function Fleet({ state }: { state: State }) {
  useEffect(() => {
    void loadFleet().catch(() => undefined);
    const t = window.setInterval(() => void loadFleet().catch(() => undefined), everyMs);
    return () => window.clearInterval(t);
  }, []);
  const fleet = state.fleet;
  if (fleet === null) return <p class="dim">Loading the fleet…</p>;
  // Read at each poll's redraw, not the shell's 15 s tick: "last seen" moves with every renewal.
  const now = Date.now();
  const alive = fleet.filter((m) => m.state === "alive").length;
  return (
    <section>
      <h2>
        Fleet{" "}
        <span class="dim">
          {alive} of {fleet.length} alive
        </span>
      </h2>
      <table class="fleet">
        <thead>
          <tr>
            <th>State</th>
            <th>Agent</th>
            <th>Host</th>
            <th>Version</th>
            <th>Last seen</th>
            <th>Started</th>
            <th class="num">Targets</th>
            <th class="num">Open incidents</th>
          </tr>
        </thead>
        <tbody>
          {fleet.map((m) => (
            <MemberRow key={m.name} m={m} now={now} />
          ))}
        </tbody>
      </table>
      {fleet.length === 1 && (
        <p class="dim">
          One agent. Agents that share a PostgreSQL store show here, each with its own targets.
        </p>
      )}
    </section>
  );
}
