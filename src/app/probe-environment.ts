/**
 * What the checks may read of the agent (probes/probe.ts `ProbeEnvironment`): heartbeats, service
 * process groups, the container engine, the approval queue. Executing goes through the gateway.
 */
import type { Clock } from "../core/clock.ts";
import { groupMembers } from "../core/procfs.ts";
import type { Engine } from "../containers/engine.ts";
import { execArgv } from "../gateway/exec.ts";
import type { ProbeEnvironment } from "../probes/probe.ts";
import { ActionStore } from "../store/action-store.ts";
import type { Store } from "../store/store.ts";
import type { Targets } from "../targets/targets.ts";

export interface ProbeEnvironmentDeps {
  agent: string;
  store: Store;
  clock: Clock;
  targets: Targets;
  /** When this agent began watching (a heartbeat check's grace runs from it). */
  startedAt: number;
  /** A running service's process group leader. */
  servicePid: (name: string) => number | undefined;
  engine: () => Engine;
}

export function probeEnvironment(d: ProbeEnvironmentDeps): ProbeEnvironment {
  const approvalStore = new ActionStore(d.store.db);
  return {
    clock: d.clock,
    lastHeartbeat: (name) => d.targets.lastHeartbeat(name),
    watchingSince: () => d.startedAt,
    servicePids: (name) => {
      const pid = d.servicePid(name);
      return pid === undefined ? [] : groupMembers(pid);
    },
    exec: execArgv,
    engine: () => d.engine(),
    approvalQueue: () => approvalStore.pendingQueue(d.clock.now()),
    agent: d.agent,
  };
}
