/**
 * A timer for a time that may be far away. Node's setTimeout holds at most 2^31-1 ms (24.8 days)
 * and fires at once beyond that; a yearly job would run every tick. So the wait goes in slices of
 * at most `maxSliceMs`, and each slice looks at the clock again: a clock set forward, or a machine
 * that slept, is noticed within one slice.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";

/** Longest single wait: well under setTimeout's limit. */
export const maxSliceMs = 6 * 3_600_000;

/** Calls `fn` once the clock reads `at` or later; `cancel()` stops it. */
export function wakeAt(clock: Clock, at: number, fn: () => void, sliceMs = maxSliceMs): TimerHandle {
  let current: TimerHandle | undefined;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    const left = at - clock.now();
    if (left <= 0) return fn();
    current = clock.setTimeout(arm, Math.min(left, sliceMs));
  };
  arm();
  return {
    cancel: () => {
      cancelled = true;
      current?.cancel();
    },
  };
}
