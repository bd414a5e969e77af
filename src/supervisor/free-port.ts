/**
 * `free-port`: stops the process holding a service's port (SIGTERM, then SIGKILL after 5 s) and
 * starts the service with a fresh budget. Someone else's process is never stopped without a person:
 * the step is approve-tier, and only the gateway calls this, for an approved request.
 */
import { stopPortHolder } from "./ports.ts";

export interface FreePortDeps {
  /** Waits on the agent's clock while the holder goes. */
  sleep: (ms: number) => Promise<void>;
  /** Clears the service's given-up state and starts it (what `vigil recover` does). */
  recover: () => Promise<void>;
  stopHolder?: typeof stopPortHolder;
}

export async function freePort(
  name: string,
  port: number | undefined,
  d: FreePortDeps,
): Promise<{ ok: boolean; detail: string }> {
  if (port === undefined) return { ok: false, detail: `${name} declares no port` };
  const stopped = await (d.stopHolder ?? stopPortHolder)(port, d.sleep);
  if (!stopped.ok) return stopped;
  await d.recover();
  return { ok: true, detail: `${stopped.detail}; ${name} started` };
}
