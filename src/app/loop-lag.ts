/**
 * The event loop's lag for `/health`: a histogram sampled every 20 ms from the start, read (and
 * reset) by each health answer, so it shows the lag since the previous one.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Lifecycle } from "../core/lifecycle.ts";

const resolutionMs = 20;

export class LoopLag {
  readonly #histogram = monitorEventLoopDelay({ resolution: resolutionMs });

  start(lifecycle: Lifecycle): void {
    this.#histogram.enable();
    lifecycle.defer("lag monitor", () => {
      this.#histogram.disable();
    });
  }

  /** The p99 lag in ms since the last call, to a tenth. */
  takeP99Ms(): number {
    const h = this.#histogram;
    // The histogram records whole timer periods (the resolution included); the lag is what is over it.
    const lag = h.count > 0 ? Math.max(0, h.percentile(99) / 1e6 - resolutionMs) : 0;
    h.reset();
    return Math.round(lag * 10) / 10;
  }
}
