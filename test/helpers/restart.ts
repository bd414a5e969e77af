/** A restart policy for supervisor tests: retries within milliseconds so a crash loop plays out fast. */
import type { SupervisedSpec } from "../../src/supervisor/supervisor.ts";

export function quickRestart(over: Partial<SupervisedSpec["restart"]> = {}): SupervisedSpec["restart"] {
  return {
    policy: "always",
    initialMs: 50,
    maxMs: 400,
    factor: 2,
    jitter: 0.1,
    minUptimeMs: 5_000,
    maxRestarts: 3,
    windowMs: 60_000,
    retryAfterFailedMs: false,
    ...over,
  };
}
