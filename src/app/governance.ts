/**
 * Governance for AI assistants, wired: the instruction check the API answers (audited with who
 * asked, read against the config as it is now so a reload applies at once), and the claim verifier
 * over what the start has built (targets, action runs, backups, jobs, the container engine when one
 * is configured). The API, the claims watcher and MCP all verify through `verifier`.
 */
import type { GovernanceApi } from "../api/context.ts";
import type { ClaimSources } from "../governance/claims/index.ts";
import { checkInstruction } from "../governance/instructions.ts";
import type { ClaimVerifier } from "../governance/types.ts";
import { Verifier } from "../governance/verifier.ts";
import type { Built, Core, Wiring } from "./wiring.ts";

export function governanceApi({
  core: { bus },
  config,
  built,
}: Wiring & { core: Core; built: Built }): GovernanceApi {
  return {
    check: async (instruction, by) => {
      const r = checkInstruction(instruction, config().governance.instruction_sections);
      // What the order lacks, never its text: a work order may carry anything.
      await bus.emit(
        "instruction.checked",
        "governance",
        { ok: r.ok, missing: r.missing, empty: r.empty },
        by.name,
      );
      return r;
    },
    verifier: built.governance.verifier,
  };
}

export interface Governance {
  verifier: ClaimVerifier;
}

export interface GovernanceWiring extends Wiring {
  built: Pick<Built, "supervision" | "actions" | "jobs">;
}

export function wireGovernance(w: GovernanceWiring): Governance {
  const stopping = new AbortController();
  w.lifecycle.defer("claim verification", () => stopping.abort(new Error("the agent is stopping")));
  const verifier = new Verifier({
    bus: w.bus,
    clock: w.clock,
    sources: claimSources(w),
    timeoutMs: () => w.config().governance.verify.timeout,
    signal: stopping.signal,
  });
  return { verifier };
}

function claimSources(w: GovernanceWiring): ClaimSources {
  const { supervision, actions, jobs } = w.built;
  return {
    now: () => w.clock.now(),
    paths: () => [...w.config().governance.verify.paths, w.config().agent.data_dir],
    hosts: () => w.config().governance.verify.hosts,
    targets: () => supervision.list(),
    readsContainer: (name) => supervision.readsContainer(name),
    serviceUrl: (name) => serviceUrl(w, name),
    actionNames: () => actions.list().map((a) => a.name),
    getRun: (id) => actions.getRun(id),
    runs: (limit) => actions.runs(limit),
    backups: (action) => actions.backups(action),
    jobs: () => jobs.list(),
    // Containers are asked of the engine only when `agent.docker.host` names one; the client is
    // the supervision's own.
    engine: () => (w.config().agent.docker.host === undefined ? undefined : supervision.engine()),
  };
}

/** A service's own address: its port on 127.0.0.1, else its HTTP health URL's origin. */
function serviceUrl(w: Wiring, name: string): string | undefined {
  const svc = w.config().services[name];
  if (!svc) return undefined;
  if (svc.port !== undefined) return `http://127.0.0.1:${svc.port}`;
  const url = (svc.health as { http?: { url?: string } } | undefined)?.http?.url;
  try {
    return url === undefined ? undefined : new URL(url).origin;
  } catch {
    return undefined;
  }
}
