/**
 * Every target: state, since when, latency sparkline, uptime over 24 h and 7 d. Rows are plain
 * table rows that redraw only when their target object changes, so 1,000 targets render at once
 * and a live update touches one row.
 */
import { Component } from "preact";
import { useMemo, useState } from "preact/hooks";
import { Sparkline } from "../components/sparkline.tsx";
import { AgentTargetsTable, useFleetTargets } from "./all-targets.tsx";
import { ago, badStates, duration, percent, stateClass } from "../format.ts";
import type { State } from "../store.ts";
import type { Target } from "../types.ts";

class Row extends Component<{ t: Target; now: number }> {
  override shouldComponentUpdate(next: { t: Target; now: number }): boolean {
    return next.t !== this.props.t || next.now !== this.props.now;
  }

  override render() {
    const { t, now } = this.props;
    const last = t.last_result;
    return (
      <tr data-target={t.name} data-state={t.state}>
        <td>
          <span class={`badge ${stateClass(t.state)}`}>{t.state}</span>
        </td>
        <td>
          <a href={`/targets/${encodeURIComponent(t.name)}`}>{t.name}</a>
          {t.incident_id && (
            <a class="incident-link" href="/incidents" title="open incident">
              !
            </a>
          )}
        </td>
        <td class="dim">{t.kind}</td>
        <td title={new Date(t.since).toLocaleString()}>{ago(t.since, now)}</td>
        <td class="latency">
          <Sparkline values={t.latency} />
          <span>{last ? duration(last.duration_ms) : "–"}</span>
        </td>
        <td class="num">{percent(t.uptime_24h)}</td>
        <td class="num">{percent(t.uptime_7d)}</td>
        <td class="num">{t.restarts}</td>
      </tr>
    );
  }
}

/** Name filter and "problems only", for this agent's list and for every agent's alike. */
function matching<T extends { name: string; state: string }>(
  list: T[],
  filter: string,
  problems: boolean,
): T[] {
  const q = filter.trim().toLowerCase();
  return list.filter(
    (t) => (!q || t.name.toLowerCase().includes(q)) && (!problems || badStates.includes(t.state)),
  );
}

function ThisAgentTable({ rows, now }: { rows: Target[]; now: number }) {
  return (
    <table class="targets">
      <thead>
        <tr>
          <th>State</th>
          <th>Name</th>
          <th>Kind</th>
          <th>Since</th>
          <th>Latency</th>
          <th class="num">Up 24 h</th>
          <th class="num">Up 7 d</th>
          <th class="num">Restarts</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <Row key={t.name} t={t} now={now} />
        ))}
      </tbody>
    </table>
  );
}

export function Targets({ state, now }: { state: State; now: number }) {
  const [filter, setFilter] = useState("");
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [allAgents, setAllAgents] = useState(false);
  // The toggle shows only in a fleet: on SQLite, or alone on PostgreSQL, every target is this agent's.
  const fleet = state.fleet ?? [];
  const all = useFleetTargets(allAgents && fleet.length > 1, state.eventSeq);
  const list: { name: string; state: string }[] = all.list ?? state.targets;
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const t of list) c.set(t.state, (c.get(t.state) ?? 0) + 1);
    return [...c].sort((a, b) => b[1] - a[1]);
  }, [list]);
  const shown = useMemo(
    () => matching(state.targets, filter, problemsOnly),
    [state.targets, filter, problemsOnly],
  );
  const shownAll = useMemo(
    () => (all.list ? matching(all.list, filter, problemsOnly) : null),
    [all.list, filter, problemsOnly],
  );
  if (state.targetsAt === null) return <p class="dim">Loading targets…</p>;
  const none = (shownAll ?? shown).length === 0;
  return (
    <section>
      <div class="toolbar">
        <h2>
          Targets <span class="dim">{list.length}</span>
        </h2>
        <div class="counts">
          {counts.map(([s, n]) => (
            <span key={s} class={`badge ${stateClass(s)}`}>
              {n} {s}
            </span>
          ))}
        </div>
        <input
          type="search"
          placeholder="Filter by name"
          value={filter}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
        <label>
          <input
            type="checkbox"
            checked={problemsOnly}
            onChange={(e) => setProblemsOnly(e.currentTarget.checked)}
          />{" "}
          problems only
        </label>
        {fleet.length > 1 && (
          <label>
            <input
              type="checkbox"
              name="all-agents"
              checked={allAgents}
              onChange={(e) => setAllAgents(e.currentTarget.checked)}
            />{" "}
            all agents
          </label>
        )}
      </div>
      {all.error && <p class="error">{all.error}</p>}
      {allAgents && fleet.length > 1 && !shownAll && <p class="dim">Loading every agent's targets…</p>}
      {shownAll ? (
        <AgentTargetsTable rows={shownAll} fleet={fleet} now={now} />
      ) : (
        <ThisAgentTable rows={shown} now={now} />
      )}
      {none && <p class="dim">No target matches.</p>}
    </section>
  );
}
