/**
 * Wires the store's health: while it cannot write (a full disk, an I/O error, a server gone) people
 * are told at once by a direct message (the outbox lives in the store), and once it writes again the
 * outage is audited (and so notified through the outbox) and the kill-switch flips that only memory
 * held are recorded.
 */
import { sendDirect } from "../notify/direct.ts";
import type { KillSwitch } from "../remediation/kill-switch.ts";
import type { StoreHealth, StoreOutage } from "../store/health.ts";
import type { Wiring } from "./wiring.ts";

/** Outages not yet recorded (the store failed again before it could take them): the newest few. */
const maxPending = 20;

type Ended = StoreOutage & { until: number };

const probeBytes = 64 * 1024;
/** A store that fails again and again (a disk on the edge) sends one direct message in this long. */
const directEveryMs = 10 * 60_000;

export function wireStoreHealth(w: Wiring & { health: StoreHealth; killSwitch: KillSwitch }): void {
  const log = w.log.child({ component: "store" });
  // 64 KiB, then a few bytes: a store with room for this much takes ordinary writes again.
  w.health.probe = async () => {
    await w.store.setMeta("store.probe", "x".repeat(probeBytes));
    await w.store.setMeta("store.probe", String(w.clock.now()));
  };
  w.lifecycle.defer("store health", () => w.health.stop());

  let lastDirect = Number.NEGATIVE_INFINITY;
  w.health.onFailing((o) => {
    log.error(
      { cause: o.cause },
      "the store cannot write; what must be recorded is refused (503) until it can",
    );
    if (o.since - lastDirect < directEveryMs) return;
    lastDirect = o.since;
    const { agent, notify } = w.config();
    void sendDirect(
      notify,
      {
        kind: "store.failing",
        target: "agent",
        title: `Vigil on ${agent.name} cannot record: its store is failing`,
        text:
          `Since ${new Date(o.since).toISOString()} the store of ${agent.name} cannot write: ${o.cause}. ` +
          "Heartbeats, action runs and approvals are refused (503) until it can, and nothing is audited; " +
          "the kill switch still works in memory. Vigil tries again every few seconds and records the outage once it can.",
      },
      w.clock.now(),
    ).then((results) => {
      for (const r of results) {
        if (r.ok) log.info({ channel: r.channel }, "told people directly that the store is failing");
        else
          log.warn({ channel: r.channel, error: r.error }, "could not tell people that the store is failing");
      }
    });
  });

  let pending: Ended[] = [];
  let recording: Promise<void> | undefined;
  w.health.onRecovered((o) => {
    const until = w.clock.now();
    log.warn(
      { cause: o.cause, down_ms: until - o.since, failed_calls: o.failures },
      "the store writes again",
    );
    pending = [...pending, { ...o, until }].slice(-maxPending);
    // One recorder at a time, so no outage is audited twice.
    recording ??= record()
      .catch((err: unknown) => log.error({ err }, "recording the store outage failed"))
      .finally(() => (recording = undefined));
  });

  /** The outages, then the kill-switch flips, in the order they happened; kept for later if the store fails again. */
  async function record(): Promise<void> {
    while (pending.length > 0) {
      const o = pending[0]!;
      await w.bus.emit("store.unavailable", "agent", {
        since: o.since,
        until: o.until,
        cause: o.cause,
        failed_calls: o.failures,
      });
      pending.shift();
    }
    // An outage that ended meanwhile is recorded by this same run.
    if ((await w.killSwitch.flush()) && pending.length > 0) await record();
  }
}
