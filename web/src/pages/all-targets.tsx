/**
 * Every agent's targets (`GET /api/targets?agents=all`), for the targets page's "all agents" view:
 * each with the agent that runs it and, when that agent is dead or stopped, that state beside it,
 * since its targets' rows then say what they were when it stopped writing. Another agent's changes
 * do not come through this agent's event stream, so the list is read again every few seconds.
 */
import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { loadFleet } from "../data.ts";
import { ago, duration, memberClass, stateClass } from "../format.ts";
import type { FleetTarget, LastResult, Member } from "../types.ts";

const everyMs = 3_000;

/** The fleet-wide list while `on`, re-read on a timer and soon after this agent's own events. */
export function useFleetTargets(
  on: boolean,
  eventSeq: number,
): { list: FleetTarget[] | null; error: string } {
  const [list, setList] = useState<FleetTarget[] | null>(null);
  const [error, setError] = useState("");
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!on) return;
    const t = window.setInterval(() => setTick((n) => n + 1), everyMs);
    return () => window.clearInterval(t);
  }, [on]);
  useEffect(() => {
    if (!on) return;
    let live = true;
    const t = window.setTimeout(
      () => {
        // The fleet too: the agent column says when a target's agent is dead.
        Promise.all([api<{ targets: FleetTarget[] }>("/api/targets?agents=all"), loadFleet()])
          .then(([r]) => {
            if (!live) return;
            setList(r.targets);
            setError("");
          })
          .catch((e: unknown) => live && setError(problem(e)));
      },
      list === null ? 0 : 250,
    );
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [on, eventSeq, tick]);
  return { list: on ? list : null, error };
}

function Result({ r }: { r: LastResult | null }) {
  if (!r) return <span class="dim">–</span>;
  return (
    <span title={r.explanation} class={r.ok ? "ok-text" : "bad-text"}>
      {r.ok ? "ok" : "failed"} {duration(r.duration_ms)}
    </span>
  );
}

function AgentRow({ t, member, now }: { t: FleetTarget; member: Member | undefined; now: number }) {
  return (
    <tr data-target={t.name} data-agent={t.agent ?? ""} data-state={t.state}>
      <td>
        <span class={`badge ${stateClass(t.state)}`}>{t.state}</span>
      </td>
      <td>
        {/* A target's own page reads this agent's API: only this agent's targets have one here. */}
        {member?.self ? <a href={`/targets/${encodeURIComponent(t.name)}`}>{t.name}</a> : t.name}
      </td>
      <td class="agent">
        {t.agent ?? <span class="dim">–</span>}
        {member && member.state !== "alive" && (
          <span class={`badge ${memberClass(member.state)}`}>{member.state}</span>
        )}
      </td>
      <td class="dim">{t.kind}</td>
      <td title={new Date(t.since).toLocaleString()}>{ago(t.since, now)}</td>
      <td>
        <Result r={t.last_result} />
      </td>
      <td class="num">{t.restarts}</td>
    </tr>
  );
}

export function AgentTargetsTable(props: { rows: FleetTarget[]; fleet: Member[]; now: number }) {
  const members = new Map(props.fleet.map((m) => [m.name, m]));
  return (
    <table class="targets all-agents">
      <thead>
        <tr>
          <th>State</th>
          <th>Name</th>
          <th>Agent</th>
          <th>Kind</th>
          <th>Since</th>
          <th>Last result</th>
          <th class="num">Restarts</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((t) => (
          <AgentRow key={t.name} t={t} member={members.get(t.agent ?? "")} now={props.now} />
        ))}
      </tbody>
    </table>
  );
}
