/**
 * Latency over the window, drawn by uPlot (canvas: one chart of 1,440 points costs nothing): p50 and
 * p95 per bucket, or, before any minute has been written, each of the newest results.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { History } from "../types.ts";

export function LatencyChart({ history }: { history: History }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const buckets = history.t.length > 1;
    const series: uPlot.Series[] = buckets
      ? [
          {},
          { label: "p50 ms", stroke: "#2b6cb0", width: 1.5 },
          { label: "p95 ms", stroke: "#c05621", width: 1 },
        ]
      : [{}, { label: "result ms", stroke: "#2b6cb0", width: 1.5 }];
    const data: uPlot.AlignedData = buckets
      ? [history.t.map((t) => t / 1000), history.p50_ms, history.p95_ms]
      : [history.recent.ts.map((t) => t / 1000), history.recent.ms];
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height: 220,
        series,
        axes: [{}, { label: "ms" }],
        scales: { x: { time: true } },
      },
      data,
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height: 220 });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [history]);
  return <div class="chart" ref={box} />;
}
