/** The kill switch: operators turn automatic action off and on; everyone sees whether it is off. */
import { useState } from "preact/hooks";
import { api, problem } from "../api.ts";
import { clock } from "../format.ts";
import { setState, type State } from "../store.ts";
import type { PauseState } from "../types.ts";

export function PauseSwitch({ state }: { state: State }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const { pause, me } = state;
  const canAct = me?.role === "operator" || me?.role === "admin";
  const toggle = async () => {
    setBusy(true);
    setError("");
    try {
      const path = pause.paused ? "/api/resume" : "/api/pause";
      const r = await api<{ paused: boolean }>(path, {
        method: "POST",
        body: { reason: "from the dashboard" },
      });
      const next: PauseState = {
        paused: r.paused,
        by: me?.name ?? null,
        reason: "from the dashboard",
        since: Date.now(),
      };
      setState({ pause: next });
    } catch (e) {
      setError(problem(e));
    } finally {
      setBusy(false);
    }
  };
  const title = pause.paused
    ? `Paused by ${pause.by ?? "?"} at ${clock(pause.since)}${pause.reason ? `: ${pause.reason}` : ""}`
    : "Automatic remediation is on";
  return (
    <div class={`pause ${pause.paused ? "on" : ""}`} title={title}>
      <span class="pause-state" data-paused={String(pause.paused)}>
        {pause.paused ? "Paused" : "Active"}
      </span>
      {canAct && (
        <button type="button" class="pause-toggle" disabled={busy} onClick={() => void toggle()}>
          {pause.paused ? "Resume" : "Pause"}
        </button>
      )}
      {error && <span class="error">{error}</span>}
    </div>
  );
}
