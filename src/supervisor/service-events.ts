/**
 * The supervisor's service events as audit events, and the log lines worth having. A failure to
 * record one is logged; it never reaches the service that emitted it.
 */
import type { EventBus } from "../core/events.ts";
import type { Logger } from "../core/log.ts";
import type { ServiceEvent } from "./types.ts";

export function recordServiceEvent(name: string, e: ServiceEvent, d: { bus: EventBus; log: Logger }): void {
  const bus = d.bus;
  const done = (p: Promise<unknown>) =>
    p.catch((err: unknown) => d.log.error({ err, target: name }, "recording an event failed"));
  switch (e.kind) {
    case "started":
      void done(bus.emit("service.started", name, { pid: e.pid, adopted: e.adopted }));
      break;
    case "exited":
      void done(
        bus.emit("service.exited", name, {
          code: e.code,
          signal: e.signal,
          uptime_ms: e.uptimeMs,
          expected: e.expected,
        }),
      );
      break;
    case "restart-scheduled":
      void done(bus.emit("service.restart_scheduled", name, { delay_ms: e.delayMs, reason: e.reason }));
      break;
    case "gave-up":
      d.log.error({ target: name, restarts: e.restarts }, "restart budget spent; automatic restarts stop");
      void done(bus.emit("service.gave_up", name, { restarts: e.restarts, window_ms: e.windowMs }));
      break;
    case "port-conflict":
      d.log.warn({ target: name, port: e.port, holder: e.holder }, "port is taken");
      void done(bus.emit("service.port_conflict", name, { port: e.port, holder: e.holder }));
      break;
    case "spawn-failed":
      void done(bus.emit("service.spawn_failed", name, { error: e.error }));
      break;
  }
}
