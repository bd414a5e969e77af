/**
 * The built-in actions every agent has without declaring them, each one entry with everything about
 * it. The gateway runs them from here, the API lists them, config validation and doctor check
 * runbooks against them, and the README's table is generated from them. A new built-in is one entry;
 * the type makes a missing field a compile error, and the gateway looks an entry up by name, so
 * nothing falls through to another action.
 */
import type { Risk } from "./risk.ts";
import type { RunResult, ServiceControl } from "./types.ts";

export interface BuiltinContext {
  services: ServiceControl;
  /** The service it acts on (checked to be one when `needs_target`), or why it was asked. */
  target: string | null;
  /** Who asked, for the supervisor's own record. */
  by: string;
}

export interface BuiltinAction {
  readonly name: string;
  readonly risk: Risk;
  /** Whether it acts on the service named by `target` (a request without one is refused). */
  readonly needs_target: boolean;
  readonly description: string;
  /** Parameters it takes, declared as for `actions:` (none so far). */
  readonly params: Record<string, never>;
  run(ctx: BuiltinContext): Promise<Omit<RunResult, "duration_ms">>;
}

/** `restart`, `start`, `stop` of the named service: what an operator would do by hand. */
function serviceAction(name: "restart" | "start" | "stop", description: string): BuiltinAction {
  return {
    name,
    risk: "auto",
    needs_target: true,
    description,
    params: {},
    async run({ services, target, by }) {
      try {
        const t = await services.act(target!, name, by);
        return { ok: true, state: t.state };
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    },
  };
}

export const builtinActions: readonly BuiltinAction[] = [
  serviceAction("restart", "restart the service named by target"),
  serviceAction("start", "start the service named by target"),
  serviceAction("stop", "stop the service named by target"),
  {
    name: "restart-largest",
    risk: "auto",
    // It picks its own service; a target (a memory check, say) only says why it ran.
    needs_target: false,
    description: "restart the running service with the most resident memory",
    params: {},
    async run({ services, by }) {
      const largest = services.largest();
      if (!largest) return { ok: false, error: "no managed service is running" };
      const t = await services.act(largest.name, "restart", by);
      return { ok: true, state: t.state, stdout: `restarted ${largest.name} (${largest.rssMb} MB resident)` };
    },
  },
  {
    name: "free-port",
    // Stopping someone else's process needs a person.
    risk: "approve",
    needs_target: true,
    description: "stop whatever holds the service's port, then start it (a person approves first)",
    params: {},
    async run({ services, target, by }) {
      const f = await services.freePort(target!, by);
      return { ok: f.ok, stdout: f.detail };
    },
  },
  {
    name: "longer-start",
    risk: "auto",
    needs_target: true,
    description: "give a slow-starting service twice its start period, then restart it",
    params: {},
    async run({ services, target, by }) {
      const f = await services.longerStart(target!, by);
      return { ok: f.ok, stdout: f.detail };
    },
  },
];

/** The built-in of that name, unless `declared` (the config's `actions:`) overrides it. */
export function builtinAction(name: string, declared: object): BuiltinAction | undefined {
  if (Object.hasOwn(declared, name)) return undefined;
  return builtinActions.find((b) => b.name === name);
}
