/**
 * `vigil notify test <channel>`: one message straight through a channel's provider, outside the
 * outbox (never queued, never retried), and exactly how the delivery went.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { VigilError } from "../core/errors.ts";
import type { VigilConfig } from "../config/schema.ts";
import type { Delivery, Outgoing } from "./provider.ts";
import { providerOf } from "./providers/index.ts";

/** The same budget the outbox gives one delivery. */
export const testTimeoutMs = 10_000;

export interface ChannelTestResult {
  channel: string;
  /** The provider type of the channel (webhook, telegram, ...). */
  type: string;
  ok: boolean;
  error?: string;
  /** Whether a notification failing this way would not be retried by the outbox. */
  permanent?: boolean;
  /** How long the receiver asked to wait before a retry, when it said. */
  retry_after_ms?: number;
  duration_ms: number;
}

/** The message a test sends: kind "test", no target, a text that says nothing is wrong. */
export function testMessage(channel: string, type: string, now: number, auditAnchor?: string): Outgoing {
  const id = randomUUID();
  return {
    id,
    message: {
      id,
      kind: "test",
      target: null,
      title: "Vigil test message",
      text:
        `A test message from Vigil through the channel ${channel} (${type}). ` +
        "Nothing is wrong: this only checks that notifications reach you.",
      at: now,
      ...(auditAnchor ? { audit_anchor: auditAnchor } : {}),
    },
  };
}

/** Throws NOT_FOUND, naming the configured channels, when `channel` is not one of them. */
export async function testChannel(
  notify: VigilConfig["notify"],
  channel: string,
  now: number,
  auditAnchor?: string,
): Promise<ChannelTestResult> {
  const cfg = Object.hasOwn(notify.channels, channel) ? notify.channels[channel] : undefined;
  if (!cfg) throw unknownChannel(notify, channel);
  const { type, provider, settings } = providerOf(cfg);
  const started = performance.now();
  let delivery: Delivery;
  try {
    delivery = await provider.deliver(settings, testMessage(channel, type, now, auditAnchor), {
      timeoutMs: testTimeoutMs,
      now,
    });
  } catch (e) {
    // The contract says never throw; a provider that does is reported, not crashed on.
    delivery = { ok: false, error: e instanceof Error ? e.message : String(e), permanent: false };
  }
  const duration_ms = Math.round(performance.now() - started);
  if (delivery.ok) return { channel, type, ok: true, duration_ms };
  return {
    channel,
    type,
    ok: false,
    error: delivery.error,
    permanent: delivery.permanent,
    ...(delivery.retryAfterMs === undefined ? {} : { retry_after_ms: delivery.retryAfterMs }),
    duration_ms,
  };
}

function unknownChannel(notify: VigilConfig["notify"], channel: string): VigilError {
  const names = Object.keys(notify.channels).sort();
  const shown = JSON.stringify(channel.slice(0, 200));
  return new VigilError(
    "NOT_FOUND",
    names.length === 0
      ? `no channel ${shown}: no notification channels are configured; add one under notify.channels in vigil.yaml`
      : `no channel ${shown}; configured channels: ${names.join(", ")}`,
    { details: { channels: names } },
  );
}
