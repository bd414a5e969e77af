/**
 * The pace of everything a lease governs (membership, leadership, the shared checks): a pass every
 * third of the lease, so two may fail (a slow store) before the lease lapses; never more often than
 * every 100 ms.
 */
import type { Clock } from "../core/clock.ts";
import { Ticker } from "../core/ticker.ts";

const passesPerLease = 3;

export function leaseTicker(
  o: { clock: Clock; leaseMs: number; onError: (err: unknown) => void },
  fn: () => Promise<void>,
): Ticker {
  return new Ticker(o.clock, Math.max(100, Math.floor(o.leaseMs / passesPerLease)), fn, o.onError);
}
