/** The audit log, newest first, with whether its hash chain checks out. */
import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { clock } from "../format.ts";
import type { State } from "../store.ts";
import type { AuditEvent, Verify } from "../types.ts";

export function Audit({ state }: { state: State }) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [verify, setVerify] = useState<Verify | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState("");
  const check = () => {
    setChecking(true);
    api<Verify>("/api/audit/verify")
      .then(setVerify)
      .catch((e: unknown) => setError(problem(e)))
      .finally(() => setChecking(false));
  };
  useEffect(check, []);
  // The newest events, re-read (a second after a burst) as the stream reports new ones.
  useEffect(() => {
    const t = window.setTimeout(
      () => {
        api<{ events: AuditEvent[] }>("/api/audit?tail=200")
          .then((r) => setEvents(r.events.reverse()))
          .catch((e: unknown) => setError(problem(e)));
      },
      events.length === 0 ? 0 : 1_000,
    );
    return () => window.clearTimeout(t);
  }, [state.eventSeq]);
  return (
    <section>
      <div class="toolbar">
        <h2>Audit log</h2>
        {verify && (
          <span class={`badge verify ${verify.ok ? "ok" : "bad"}`} data-verified={String(verify.ok)}>
            {verify.ok
              ? `chain verified: ${verify.count} events`
              : `chain broken at seq ${verify.first_bad_seq ?? "?"}${verify.reason ? `: ${verify.reason}` : ""}`}
          </span>
        )}
        <button type="button" disabled={checking} onClick={check}>
          {checking ? "Verifying…" : "Verify again"}
        </button>
      </div>
      {error && <p class="error">{error}</p>}
      <table class="audit">
        <thead>
          <tr>
            <th class="num">Seq</th>
            <th>Time</th>
            <th>Type</th>
            <th>Subject</th>
            <th>Actor</th>
            <th>Payload</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.seq}>
              <td class="num">{e.seq}</td>
              <td>{clock(e.ts)}</td>
              <td>{e.type}</td>
              <td>{e.subject}</td>
              <td>{e.actor}</td>
              <td>
                <code class="output">{JSON.stringify(e.payload).slice(0, 160)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
