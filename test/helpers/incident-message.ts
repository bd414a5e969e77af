/**
 * Messages about an incident as the pipeline queues them, context included, for the providers'
 * tests: an ordinary one, and one whose every part is far over any provider's limit.
 */
import type { IncidentContext } from "../../src/notify/context.ts";
import type { Outgoing } from "../../src/notify/provider.ts";

export const openedAt = Date.UTC(2026, 11, 6, 3, 2, 0);

export const context: IncidentContext = {
  incident_id: "5b0c7a52-3d1e-4c55-9a57-0e8f3c1d2a10",
  status: "open",
  since: openedAt,
  results: [true, true, false, false, true, false, false],
  tried: [
    {
      at: openedAt + 1_000,
      what: "automatic restart (exited with code 1)",
      result: "running again (pid 4242)",
    },
    {
      at: openedAt + 40_000,
      what: "restart (attempt 1)",
      result: "failed: web did not recover within verify_within (120000 ms)",
    },
  ],
  next: { what: "clean-logs (attempt 2 of 3)", at: openedAt + 100_000, final: false },
  url: "https://vigil.example.com/incidents/5b0c7a52-3d1e-4c55-9a57-0e8f3c1d2a10",
};

export const incidentMessage: Outgoing["message"] = {
  id: "n-7",
  kind: "incident.opened",
  target: "web",
  title: "web is down (condition_failed)",
  text: "web went down: condition_failed ([STATUS] (500) == 200). Incident 5b0c7a52-3d1e-4c55-9a57-0e8f3c1d2a10.",
  incident_id: context.incident_id,
  at: openedAt,
  context,
  audit_anchor: "seq 1372 #ab12cd34",
};

/** Every part far too long, and full of what a renderer must escape: `<`, `&`, `>`, `"`. */
export function hugeMessage(): Outgoing["message"] {
  const noisy = (n: number) => '<b>&amp; "x" > y</b> '.repeat(n);
  return {
    ...incidentMessage,
    title: `web ${noisy(40)}`,
    text: `web went down: ${noisy(2_000)}`,
    context: {
      ...context,
      results: Array.from({ length: 10 }, (_, i) => i % 3 === 0),
      tried: Array.from({ length: 10 }, (_, i) => ({
        at: openedAt + i * 1_000,
        what: `restart (attempt ${i + 1}) ${noisy(10)}`,
        result: `failed: ${noisy(20)}`,
      })),
      next: { what: `escalated: nothing more will run (${noisy(50)})`, final: true },
    },
  };
}
