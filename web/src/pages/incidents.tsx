/**
 * Incidents, open first, each with its timeline on demand; `/incidents/<id>` (the link in every
 * incident message) opens that one's timeline.
 */
import { useEffect, useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { ago, clock, duration } from "../format.ts";
import type { State } from "../store.ts";
import type { Incident } from "../types.ts";

function Timeline({ id }: { id: string }) {
  const [incident, setIncident] = useState<Incident | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api<Incident>(`/api/incidents/${encodeURIComponent(id)}`)
      .then(setIncident)
      .catch((e: unknown) => setError(problem(e)));
  }, [id]);
  if (error) return <p class="error">{error}</p>;
  if (!incident) return <p class="dim">Loading the timeline…</p>;
  return (
    <ol class="timeline">
      {(incident.timeline ?? []).map((e, i) => (
        <li key={i}>
          <time>{clock(e.ts)}</time> <strong>{e.kind}</strong> {e.detail}
        </li>
      ))}
    </ol>
  );
}

export function Incidents({
  state,
  now,
  opened,
}: {
  state: State;
  now: number;
  opened?: string | undefined;
}) {
  const [open, setOpen] = useState<string | null>(opened ?? null);
  useEffect(() => setOpen(opened ?? null), [opened]);
  const list = [...state.incidents].sort(
    (a, b) => Number(b.status === "open") - Number(a.status === "open") || b.opened_at - a.opened_at,
  );
  return (
    <section>
      <h2>
        Incidents <span class="dim">{state.incidents.filter((i) => i.status === "open").length} open</span>
      </h2>
      {list.length === 0 && <p class="dim">No incidents.</p>}
      <ul class="incidents">
        {list.map((i) => (
          <li key={i.id} data-incident={i.id} data-status={i.status} class={i.status}>
            <button type="button" class="link" onClick={() => setOpen(open === i.id ? null : i.id)}>
              <span class={`badge ${i.status === "open" ? "bad" : "ok"}`}>{i.status}</span>{" "}
              <strong>{i.target}</strong> {i.failure_class}
              {i.escalated && <span class="badge warn">escalated</span>}
              <span class="dim">
                {" "}
                opened {ago(i.opened_at, now)}
                {i.resolved_at && `, resolved after ${duration(i.resolved_at - i.opened_at)}`}
              </span>
            </button>
            {open === i.id && <Timeline id={i.id} />}
          </li>
        ))}
      </ul>
    </section>
  );
}
