/**
 * The notification pipeline's one signature, after Alertmanager's `Stage`: a stage takes a notice on
 * its way and returns it, changed, or nothing when the notice goes no further (muted, routed
 * nowhere, already told). Stages run in order; each lives in `stages/`, one file per stage.
 */
import type { VigilConfig } from "../config/schema.ts";
import type { Logger } from "../core/log.ts";
import type { OutboxRow, OutboxStore } from "../store/outbox-store.ts";
import type { IncidentContext } from "./context.ts";
import type { Notice } from "./notice.ts";

export interface Flow {
  notice: Notice;
  /** The channels it still goes to. */
  channels: string[];
  /** Per channel: when it may go out (after group_wait, or later when held for group_interval). */
  due: Record<string, number>;
  /** Per channel: the waiting message of the same target it joins instead of going on its own. */
  joins: Record<string, OutboxRow>;
}

export interface StageContext {
  now: number;
  config: VigilConfig;
  store: OutboxStore;
  log: Logger;
  /** Why notifications for the target are muted right now, or undefined. */
  muted: (target: string) => string | undefined;
  /** The incident's context for a notice about one, read once the notice is sure to be queued. */
  context?: ((n: Notice) => Promise<IncidentContext | undefined>) | undefined;
}

export type Stage = (flow: Flow, ctx: StageContext) => Promise<Flow | undefined>;

/** The stages one after another; the first that ends the flow ends it. */
export function multiStage(...stages: Stage[]): Stage {
  return async (flow, ctx) => {
    let f: Flow | undefined = flow;
    for (const stage of stages) {
      f = await stage(f, ctx);
      if (!f || f.channels.length === 0) return undefined;
    }
    return f;
  };
}

export const startFlow = (notice: Notice): Flow => ({ notice, channels: [], due: {}, joins: {} });
