/** One target: its state and last result, latency and uptime over 24 h or 7 d, its newest results. */
import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { LatencyChart } from "../components/latency-chart.tsx";
import { ago, clock, duration, percent, stateClass } from "../format.ts";
import type { State } from "../store.ts";
import type { History } from "../types.ts";

const serviceActions = ["restart", "stop", "start", "recover"] as const;

export function TargetPage({ name, state, now }: { name: string; state: State; now: number }) {
  const [window, setWindow] = useState<"24h" | "7d">("24h");
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const t = state.targets.find((x) => x.name === name);
  // Re-read when the window changes and when the target's last result does (new data points).
  const lastTs = t?.last_result?.ts ?? 0;
  useEffect(() => {
    let live = true;
    api<History>(`/api/targets/${encodeURIComponent(name)}/history?window=${window}`)
      .then((h) => live && setHistory(h))
      .catch((e: unknown) => live && setError(problem(e)));
    return () => {
      live = false;
    };
  }, [name, window, lastTs]);

  if (!t) return <p class="dim">{state.targetsAt === null ? "Loading…" : `No target named "${name}".`}</p>;
  const operator = state.me?.role === "operator" || state.me?.role === "admin";
  const act = async (action: string) => {
    setBusy(true);
    setError("");
    try {
      await api(`/api/targets/${encodeURIComponent(name)}/${action}`, { method: "POST", body: {} });
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="target" data-target={t.name} data-state={t.state}>
      <p>
        <a href="/targets">← all targets</a>
      </p>
      <h2>
        {t.name} <span class={`badge ${stateClass(t.state)}`}>{t.state}</span>
      </h2>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>{t.kind}</dd>
        <dt>Since</dt>
        <dd>
          {clock(t.since)} ({ago(t.since, now)})
        </dd>
        {t.description && (
          <>
            <dt>What it is for</dt>
            <dd>{t.description}</dd>
          </>
        )}
        <dt>Restarts</dt>
        <dd>{t.restarts}</dd>
        {t.pid ? (
          <>
            <dt>PID</dt>
            <dd>{t.pid}</dd>
          </>
        ) : null}
        <dt>Last result</dt>
        <dd>
          {t.last_result
            ? `${t.last_result.ok ? "passed" : "failed"} in ${duration(t.last_result.duration_ms)}: ${t.last_result.explanation}`
            : "none yet"}
        </dd>
        <dt>Uptime</dt>
        <dd>
          24 h {percent(t.uptime_24h)} · 7 d {percent(t.uptime_7d)}
        </dd>
        {t.incident_id && (
          <>
            <dt>Incident</dt>
            <dd>
              <a href="/incidents">{t.incident_id}</a>
            </dd>
          </>
        )}
      </dl>
      {operator && t.kind === "service" && (
        <div class="actions">
          {serviceActions.map((a) => (
            <button key={a} type="button" disabled={busy} onClick={() => void act(a)}>
              {a}
            </button>
          ))}
        </div>
      )}
      {error && <p class="error">{error}</p>}
      <div class="toolbar">
        <h3>Latency</h3>
        {(["24h", "7d"] as const).map((w) => (
          <button key={w} type="button" class={w === window ? "selected" : ""} onClick={() => setWindow(w)}>
            {w}
          </button>
        ))}
        {history && (
          <span class="dim">
            uptime over {window}: {percent(history.uptime)}
          </span>
        )}
      </div>
      {history && (history.t.length > 1 || history.recent.ts.length > 1) ? (
        <LatencyChart history={history} />
      ) : (
        <p class="dim">No result has been recorded in this window yet.</p>
      )}
      {history && history.t.length <= 1 && history.recent.ts.length > 1 && (
        <p class="dim">The newest results; minutes are charted once they have ended.</p>
      )}
      {history && history.recent.ts.length > 0 && (
        <>
          <h3>Newest results</h3>
          <table class="recent">
            <tbody>
              {history.recent.ts
                .map((ts, i) => (
                  <tr key={ts}>
                    <td>{clock(ts)}</td>
                    <td class={history.recent.ok[i] ? "ok-text" : "bad-text"}>
                      {history.recent.ok[i] ? "passed" : "failed"}
                    </td>
                    <td class="num">{duration(history.recent.ms[i])}</td>
                  </tr>
                ))
                .reverse()}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
