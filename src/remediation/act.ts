/**
 * How the engine acts on a runbook step, and how it reads a step's risk. A `restart` of a managed
 * service, while `actions:` declares no `restart` of its own, goes to the supervisor as a
 * health-check restart: it spends the service's restart budget as a crash would, and gives up to
 * `failed` past it. Every other step is a request to the gateway, made as `vigil` with operator
 * rights, which runs it now or queues it for a person by its risk.
 */
import type { ActionRequest, Requester, RequestOutcome } from "../gateway/types.ts";
import type { UnhealthyRestart } from "../supervisor/types.ts";
import type { Step } from "./choose.ts";
import type { Acted } from "./engine.ts";

export interface ActDeps {
  /** The actions `actions:` declares now: a declared `restart` replaces the supervisor's. */
  declared: () => Readonly<Record<string, unknown>>;
  isService: (target: string) => boolean;
  restartUnhealthy: (target: string, reason: string) => Promise<UnhealthyRestart>;
  request: (action: string, req: ActionRequest, by: Requester) => Promise<RequestOutcome>;
}

/** Who the engine's requests come from, in the audit log and the approval queue. */
const vigil: Requester = { name: "vigil", role: "operator" };

export async function actOn(step: Step, target: string, reason: string, d: ActDeps): Promise<Acted> {
  if (step.action === "restart" && !Object.hasOwn(d.declared(), "restart") && d.isService(target)) {
    return restartActed(await d.restartUnhealthy(target, reason));
  }
  const params = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, String(v)]));
  return requestActed(await d.request(step.action, { params, reason, target }, vigil));
}

/**
 * The risk tier the engine orders a step by. An action the gateway does not know is `approve`:
 * ordered last, and the gateway refuses it anyway.
 */
export function riskOf(action: string, declaration: (action: string) => { risk: string }): string {
  try {
    return declaration(action).risk;
  } catch {
    return "approve";
  }
}

function restartActed(r: UnhealthyRestart): Acted {
  switch (r) {
    case "restarted":
      return { kind: "ran", ok: true, detail: "restarted" };
    case "exited":
      // Its exit is its restart policy's to handle; verify_within judges whether it recovers.
      return {
        kind: "ran",
        ok: true,
        detail: "it was no longer running; its restart policy handles the exit",
      };
    case "gave-up":
      return { kind: "ran", ok: false, detail: "the restart budget is spent: the service is failed" };
    case "not-running":
      return { kind: "ran", ok: false, detail: "not running here" };
  }
}

function requestActed(out: RequestOutcome): Acted {
  if (out.kind === "queued") {
    return { kind: "queued", approvalId: out.approval.id, detail: `waits for approval ${out.approval.id}` };
  }
  const { id, status, result } = out.run;
  return {
    kind: "ran",
    ok: status === "succeeded",
    runId: id,
    detail: `run ${id} ${status}${result?.error ? `: ${result.error}` : ""}`,
  };
}
