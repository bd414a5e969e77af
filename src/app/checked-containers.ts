/**
 * `restart`, `start` and `stop` of a target that is a container check or a compose member: the
 * container it reads, acted on through the engine's API, as `docker restart` would. (A container
 * service is the supervisor's; a check of anything else Vigil does not run, so cannot act on.)
 */
import type { TargetAction } from "../api/context.ts";
import { VigilError } from "../core/errors.ts";
import { isEngineError, type Engine } from "../containers/engine.ts";
import { numberLabel, projectLabel, serviceLabel } from "../probes/compose.ts";
import type { CheckSpec } from "../targets/monitor.ts";

/** Stop and restart give the container this long after its stop signal, as `docker stop` does. */
const stopTimeoutS = 10;

/**
 * The container a check target reads: a `container:` check's name, or for the member `prd/api` of
 * a `compose:` check the project's container of service `api` (`worker-2`: service `worker`,
 * number 2). Undefined when the check reads no container.
 */
export async function checkedContainer(
  engine: Engine,
  check: CheckSpec,
  member: string | undefined,
): Promise<string | undefined> {
  const type = check.probe.type;
  if (type === "container" && member === undefined) return (check.probeConfig as { name: string }).name;
  if (type !== "compose" || member === undefined) return undefined;
  const project = (check.probeConfig as { project: string }).project;
  try {
    const exact = await engine.list({ labels: { [projectLabel]: project, [serviceLabel]: member } });
    if (exact.length === 1) return exact[0]!.id;
    const scaled = /^(.+)-(\d+)$/.exec(member);
    if (!scaled) return undefined;
    const [, service, n] = scaled;
    const numbered = await engine.list({
      labels: { [projectLabel]: project, [serviceLabel]: service, [numberLabel]: n },
    });
    return numbered[0]?.id;
  } catch (e) {
    throw engineFailure(e);
  }
}

export async function actOnContainer(
  engine: Engine,
  id: string,
  action: Exclude<TargetAction, "recover">,
): Promise<void> {
  try {
    if (action === "start") await engine.start(id);
    else if (action === "stop") await engine.stop(id, stopTimeoutS);
    else await engine.restart(id, stopTimeoutS);
  } catch (e) {
    throw engineFailure(e);
  }
}

function engineFailure(e: unknown): Error {
  if (!isEngineError(e)) return e instanceof Error ? e : new Error("the container engine failed");
  if (e.kind === "unreachable") return new VigilError("ENGINE_UNREACHABLE", e.message);
  if (e.kind === "timeout") return new VigilError("TIMEOUT", e.message);
  if (e.kind === "not_found") return new VigilError("NOT_FOUND", e.message);
  return new VigilError("CONFLICT", e.message);
}
