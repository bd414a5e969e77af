/**
 * A message straight through the channels that the routes give a critical fact, outside the outbox:
 * for what people must hear while the store (and the outbox in it) cannot write. Best effort: sent
 * once, never queued, never retried; what happened is also recorded through the outbox once the store
 * writes again.
 */
import { randomUUID } from "node:crypto";
import type { VigilConfig } from "../config/schema.ts";
import { providerOf } from "./providers/index.ts";
import { routeNotice } from "./stages/route.ts";

/** The budget of one delivery, as the outbox gives it. */
const timeoutMs = 10_000;

export interface DirectMessage {
  kind: string;
  /** What it is about: "agent" for the agent itself. */
  target: string;
  title: string;
  text: string;
}

/** How one channel took the message. */
export interface DirectResult {
  channel: string;
  ok: boolean;
  error?: string;
}

/**
 * Delivers `m` to every channel the routes give a critical fact about `m.target` (the fallback when
 * none matches), all at once, each within 10 s. Never throws.
 */
export async function sendDirect(
  notify: VigilConfig["notify"],
  m: DirectMessage,
  now: number,
): Promise<DirectResult[]> {
  let channels = routeNotice(notify, { target: m.target, severity: "critical", labels: {} });
  if (channels.length === 0 && notify.fallback) channels = [notify.fallback];
  const id = randomUUID();
  return Promise.all(
    channels
      .filter((channel) => Object.hasOwn(notify.channels, channel))
      .map(async (channel): Promise<DirectResult> => {
        try {
          const { provider, settings } = providerOf(notify.channels[channel]!);
          const d = await provider.deliver(
            settings,
            { id, message: { id, kind: m.kind, target: m.target, title: m.title, text: m.text, at: now } },
            { timeoutMs, now },
          );
          return d.ok ? { channel, ok: true } : { channel, ok: false, error: d.error };
        } catch (e) {
          // The contract says a provider never throws; one that does is reported, not crashed on.
          return { channel, ok: false, error: e instanceof Error ? e.message : String(e) };
        }
      }),
  );
}
