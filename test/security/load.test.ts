/**
 * A flood against the real agent: `/metrics` is open to anyone by default, and each scrape used to
 * render the whole text (22 MB at 100,000 checks) with the event loop held. Now a burst of scrapes
 * shares one render: every scrape in it gets the same bytes, plain or gzipped. How fast `/health`
 * answers meanwhile is measured by `bench/load.ts` (BENCHMARKS.md), not asserted here.
 */
import http from "node:http";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
});

const config = () => {
  const checks = Array.from({ length: 200 }, (_, i) => `  c${i}: { command: { run: ["true"] }, every: 1h }`);
  return `agent: { name: load, listen: "127.0.0.1:0" }\nchecks:\n${checks.join("\n")}\n`;
};

/** One scrape on its own connection, the body as it came (gunzipped when it came gzipped). */
function scrape(gzip: boolean): Promise<{ status: number; encoding: string | undefined; text: string }> {
  const url = new URL(`${agent!.url}/metrics`);
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        agent: false,
        headers: gzip ? { "accept-encoding": "gzip" } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const encoding = res.headers["content-encoding"];
          resolve({
            status: res.statusCode ?? 0,
            encoding,
            text: (encoding === "gzip" ? gunzipSync(raw) : raw).toString(),
          });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error("no answer to /metrics in 20 s")));
    req.on("error", reject);
  });
}

const renders = (text: string) => /^vigil_metrics_renders_total (\d+)$/m.exec(text)?.[1];

describe("a flood of /metrics scrapes", () => {
  it("renders once for a burst of unauthenticated scrapes: each gets the same text, plain or gzipped", async () => {
    agent = await startAgent(config());
    const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => scrape(i % 2 === 0)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(burst.filter((r) => r.encoding === "gzip")).toHaveLength(30);
    expect(burst.every((r) => renders(r.text) !== undefined)).toBe(true);
    // One render for the burst; two if a slow machine spread it over the end of a second.
    const texts = new Set(burst.map((r) => r.text));
    expect(texts.size).toBeLessThanOrEqual(2);
    expect(new Set(burst.map((r) => renders(r.text))).size).toBe(texts.size);
    // The per-target series are in it, as Prometheus reads them.
    const text = burst[0]!.text;
    expect(text).toMatch(/^vigil_target_up\{target="c199",kind="check"\} [01]$/m);
    expect(text).toMatch(/^vigil_check_results_total\{target="c0",outcome="ok"\} \d+$/m);
  });

  it("renders again once its second is over, not for every scrape before", async () => {
    agent = await startAgent(config());
    const first = await scrape(false);
    const n = Number(renders(first.text));
    expect(n).toBeGreaterThan(0);
    let later = first;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      later = await scrape(false);
      if (Number(renders(later.text)) > n) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Number(renders(later.text))).toBe(n + 1);
  });
});
