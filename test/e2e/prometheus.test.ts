/**
 * A real Prometheus (Debian's `prometheus` package) scrapes the real agent on 127.0.0.1 every second,
 * with the scrape job of deploy/prometheus/prometheus.yml pointed at the agent: `up` turns 1 and the
 * agent's metrics can be queried.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import { installed, startPrometheus, type RunningPrometheus } from "../helpers/prometheus.ts";

const example = path.resolve(import.meta.dirname, "../../deploy/prometheus/prometheus.yml");

let agent: RunningAgent | undefined;
let prometheus: RunningPrometheus | undefined;
let dir: string | undefined;
afterEach(async () => {
  await prometheus?.stop();
  await agent?.stop("SIGTERM");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  prometheus = agent = dir = undefined;
});

interface Job {
  job_name: string;
  scrape_interval?: string;
  static_configs: { targets: string[] }[];
}

/** The example's scrape job, aimed at `address`, scraped every second. */
function scrapeConfig(address: string): string {
  const config = YAML.parse(fs.readFileSync(example, "utf8")) as {
    global: Record<string, string>;
    scrape_configs: Job[];
  };
  config.global.scrape_interval = "1s";
  const job = config.scrape_configs.find((j) => j.job_name === "vigil")!;
  job.static_configs = [{ targets: [address] }];
  return YAML.stringify(config);
}

/** The values of an instant query's result, or [] while Prometheus is not ready. */
async function query(p: RunningPrometheus, q: string): Promise<string[]> {
  try {
    const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent(q)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (!res.ok) return [];
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result.map((r) => r.value[1]);
  } catch {
    return []; // not listening yet
  }
}

describe("Prometheus scraping the agent", () => {
  it("sees the target up and queries vigil_ metrics", async (ctx) => {
    if (!installed("prometheus")) {
      ctx.skip("prometheus is not installed (apt-get install prometheus; .ci/run installs it)");
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-prometheus-"));
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
checks:
  never: { command: { run: ["false"] }, every: 500ms, fail_after: 1 }
`,
      { dir },
    );
    prometheus = await startPrometheus(scrapeConfig(new URL(agent.url).host), dir);
    const p = prometheus;
    await expect.poll(() => query(p, 'up{job="vigil"}'), { timeout: 30_000, interval: 500 }).toEqual(["1"]);
    await expect
      .poll(() => query(p, 'vigil_target_up{job="vigil",target="never"}'), { timeout: 15_000, interval: 500 })
      .toEqual(["0"]);
    await expect
      .poll(async () => Number((await query(p, 'sum(vigil_check_results_total{target="never"})'))[0] ?? 0), {
        timeout: 15_000,
        interval: 500,
      })
      .toBeGreaterThan(0);
    expect(await query(p, 'process_resident_memory_bytes{job="vigil"} > 0')).toHaveLength(1);
    expect(prometheus.output()).not.toMatch(/level=error/);
  }, 60_000);
});
