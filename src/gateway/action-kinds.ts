/**
 * The names the gateway knows: risk tiers, what an action can do, and the built-in actions. Plain
 * data, so the daemon reads them without loading zod (`action.schema.ts` is the config side).
 */
export const risks = ["auto", "notify", "approve", "deny"] as const;
export type Risk = (typeof risks)[number];

/** One per action: `run` (argv), `http` (a request) or `cleanup` (old files under declared folders). */
export const actionKinds = ["run", "http", "cleanup"] as const;
export type ActionKind = (typeof actionKinds)[number];

/** Actions every agent has without declaring them (the gateway runs them on the supervisor). */
export const builtinActions = [
  "restart",
  "start",
  "stop",
  "restart-largest",
  "free-port",
  "longer-start",
] as const;
