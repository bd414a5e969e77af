/**
 * Requests waiting for a person, each a card to judge it by: the action's description, its
 * parameters, the risk assessment's signals with their reasons, and Approve / Reject only for whom
 * the API says may decide (an operator or an admin who did not ask for it), else why not. Then what
 * was decided and how it ran.
 */
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { ago, clock, duration } from "../format.ts";
import type { State } from "../store.ts";
import type { Approval, Run } from "../types.ts";

function params(p: Record<string, string>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** The advisory assessment as the CLI's RISK column rates it, each signal with its reason. */
function Risk({ a }: { a: Approval }) {
  return (
    <div class="risk" data-risk={a.assessment.level}>
      <span class={`level ${a.assessment.level}`}>risk {a.assessment.level}</span>
      <ul class="signals">
        {a.assessment.signals.map((s) => (
          <li key={s.signal} data-signal={s.signal} data-level={s.level}>
            <span class={`level ${s.level}`}>{s.level}</span> {s.signal.replaceAll("_", " ")}: {s.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Params({ p }: { p: Record<string, string> }) {
  const entries = Object.entries(p);
  if (entries.length === 0) return <div class="dim">no parameters</div>;
  return (
    <dl class="params">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            <code>{v}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Pending({ a, now }: { a: Approval; now: number }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const decide = async (decision: "approve" | "reject") => {
    setBusy(true);
    setError("");
    try {
      await api(`/api/approvals/${encodeURIComponent(a.id)}/${decision}`, { method: "POST", body: { note } });
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li class="approval" data-approval={a.id} data-status={a.status}>
      <div>
        <strong>{a.action}</strong> {a.target && <>on {a.target}</>}
        <span class="dim">
          {" "}
          asked by {a.requested_by} {ago(a.requested_at, now)}, expires {clock(a.expires_at)}
          {a.required > 1 && `, needs ${a.required} approvals (${a.decisions.length} so far)`}
        </span>
      </div>
      {a.description && <div class="description">{a.description}</div>}
      {a.reason && <div class="reason">{a.reason}</div>}
      <Params p={a.params} />
      <Risk a={a} />
      {a.can_decide ? (
        <div class="decide">
          <input placeholder="note (optional)" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="button" class="approve" disabled={busy} onClick={() => void decide("approve")}>
            Approve
          </button>
          <button type="button" class="reject" disabled={busy} onClick={() => void decide("reject")}>
            Reject
          </button>
        </div>
      ) : (
        <p class="why-not dim">{a.why_not}</p>
      )}
      {error && <p class="error">{error}</p>}
    </li>
  );
}

function RunCell({ run }: { run: Run | undefined }) {
  if (!run) return <span class="dim">–</span>;
  const out = run.result?.stdout ?? run.result?.error ?? "";
  return (
    <span class="run" data-run={run.id} data-run-status={run.status}>
      {run.status} {run.result && `in ${duration(run.result.duration_ms)}`}
      {out && <code class="output">{out.slice(0, 200)}</code>}
    </span>
  );
}

export function Approvals({ state, now }: { state: State; now: number }) {
  const pending = state.approvals.filter((a) => a.status === "pending");
  const decided = state.approvals.filter((a) => a.status !== "pending");
  const runs = new Map(state.runs.map((r) => [r.id, r]));
  return (
    <section>
      <h2>
        Approvals <span class="dim">{pending.length} pending</span>
      </h2>
      {pending.length === 0 && <p class="dim">Nothing waits for a decision.</p>}
      <ul class="approvals">
        {pending.map((a) => (
          <Pending key={a.id} a={a} now={now} />
        ))}
      </ul>
      <h3>Decided</h3>
      <table class="decided">
        <thead>
          <tr>
            <th>Action</th>
            <th>Status</th>
            <th>Decided by</th>
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {decided.map((a) => (
            <tr key={a.id} data-approval={a.id} data-status={a.status}>
              <td>
                <strong>{a.action}</strong> {params(a.params)}
              </td>
              <td>{a.status}</td>
              <td>{a.decisions.map((d) => `${d.by} (${d.decision})`).join(", ") || "–"}</td>
              <td>
                <RunCell run={a.run_id ? runs.get(a.run_id) : undefined} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
