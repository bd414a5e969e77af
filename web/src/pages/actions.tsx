/** The allowlisted actions, how well each remedy worked (the learning statistics), and every run. */
import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { ago, duration, percent } from "../format.ts";
import type { State } from "../store.ts";
import type { ActionInfo, StatRow } from "../types.ts";

export function Actions({ state, now }: { state: State; now: number }) {
  const [actions, setActions] = useState<ActionInfo[]>([]);
  const [stats, setStats] = useState<StatRow[]>([]);
  const [error, setError] = useState("");
  // Statistics move when a remediation finishes: re-read on events.
  const runsSeen = state.runs.length > 0 ? state.runs[0]!.id + state.runs[0]!.status : "";
  useEffect(() => {
    Promise.all([api<{ actions: ActionInfo[] }>("/api/actions"), api<{ stats: StatRow[] }>("/api/stats")])
      .then(([a, s]) => {
        setActions(a.actions);
        setStats(s.stats);
      })
      .catch((e: unknown) => setError(problem(e)));
  }, [runsSeen]);
  return (
    <section>
      <h2>Actions</h2>
      {error && <p class="error">{error}</p>}
      <h3>Success rates</h3>
      {stats.length === 0 ? (
        <p class="dim">No remediation has run yet.</p>
      ) : (
        <table class="stats">
          <thead>
            <tr>
              <th>Target</th>
              <th>Failure</th>
              <th>Action</th>
              <th class="num">Attempts</th>
              <th class="num">Success rate</th>
              <th class="num">Median recovery</th>
            </tr>
          </thead>
          <tbody>
            {stats.map((s) => (
              <tr key={`${s.target}/${s.failure_class}/${s.action}`}>
                <td>{s.target}</td>
                <td>{s.failure_class}</td>
                <td>{s.action}</td>
                <td class="num">{s.attempts}</td>
                <td class="num">{percent(s.success_rate * 100)}</td>
                <td class="num">{duration(s.median_recover_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>History</h3>
      {state.runs.length === 0 && <p class="dim">No action has run yet.</p>}
      <table class="runs">
        <tbody>
          {state.runs.map((r) => (
            <tr key={r.id} data-run={r.id} data-run-status={r.status}>
              <td title={new Date(r.started_at).toLocaleString()}>{ago(r.started_at, now)}</td>
              <td>
                <strong>{r.action}</strong> {r.target ?? ""}
              </td>
              <td>{r.requested_by}</td>
              <td class={r.status === "succeeded" ? "ok-text" : r.status === "running" ? "" : "bad-text"}>
                {r.status}
              </td>
              <td class="num">{duration(r.result?.duration_ms)}</td>
              <td>
                <code class="output">{(r.result?.stdout ?? r.result?.error ?? "").slice(0, 120)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Allowed actions</h3>
      <table class="allowed">
        <tbody>
          {actions.map((a) => (
            <tr key={a.name}>
              <td>
                <strong>{a.name}</strong>
              </td>
              <td class="dim">{a.kind}</td>
              <td>
                <span class={`badge ${a.risk === "auto" ? "ok" : a.risk === "deny" ? "bad" : "warn"}`}>
                  {a.risk}
                </span>
              </td>
              <td class="dim">{a.description ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
