/**
 * What `alertmanager:` refers to elsewhere in the config: the actions its runbooks name, the agent
 * that runs them, and the target names its alerts take (`alert/...`).
 */
import { builtinActions } from "../gateway/builtins.ts";
import type { VigilConfig } from "./schema.ts";

type Add = (path: (string | number)[], message: string, atKey?: boolean) => void;

/** Alert targets are `alert/<alertname>[/<instance>]`: a configured `alert` would own them as a group. */
export const alertPrefix = "alert";

export function alertmanagerProblems(c: VigilConfig, add: Add): void {
  for (const section of ["services", "checks"] as const) {
    if (Object.hasOwn(c[section], alertPrefix))
      add(
        [section, alertPrefix],
        `the name "${alertPrefix}" is kept for Alertmanager's alerts (targets alert/<alertname>); rename it`,
        true,
      );
  }
  const declared = Object.keys(c.actions);
  const shared = /^postgres(ql)?:\/\//.test(c.agent.store);
  c.alertmanager.routes.forEach((r, i) => {
    // Another agent is reached through the shared store only: SQLite is one agent's.
    if (r.agent !== undefined && r.agent !== c.agent.name && !shared)
      add(
        ["alertmanager", "routes", i, "agent"],
        `"${r.agent}" is not this agent (agent.name is "${c.agent.name}"), and an alert reaches another agent through a shared store: set agent.store to a postgres:// URL shared with it, or leave agent: out`,
      );
    r.remediate.forEach((step, j) => {
      const action = typeof step === "string" ? step : step.action;
      if (Object.hasOwn(c.actions, action)) return;
      const builtin = builtinActions.find((b) => b.name === action);
      if (!builtin)
        add(
          ["alertmanager", "routes", i, "remediate", j],
          `remediate names the action "${action}", which is not defined under actions: (defined: ${declared.join(", ") || "none"})`,
        );
      else if (builtin.needs_target)
        add(
          ["alertmanager", "routes", i, "remediate", j],
          `the built-in "${action}" acts on a service, and an alert is no service; remediate an alert with a declared action or restart-largest`,
        );
    });
  });
}
