/**
 * Alertmanager for tests: Debian's `prometheus-alertmanager` (upstream's `alertmanager` elsewhere)
 * as a real process on 127.0.0.1, clustering off, its config and state inside a temp dir.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "./net.ts";
import { running, type RunningPrometheus } from "./prometheus.ts";

/** The Alertmanager binary installed here, if any (.ci/run installs prometheus-alertmanager). */
export function alertmanagerBin(): string | undefined {
  return ["prometheus-alertmanager", "alertmanager"].find(
    (bin) => spawnSync(bin, ["--version"], { stdio: "ignore" }).error === undefined,
  );
}

/** Starts Alertmanager with `config` (YAML text); `url` is its API, e.g. for Prometheus's `alerting:`. */
export async function startAlertmanager(
  bin: string,
  config: string,
  dir: string,
): Promise<RunningPrometheus> {
  const configFile = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(configFile, config);
  const port = await freePort();
  const proc = spawn(
    bin,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, "alertmanager-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip port: a test binds nothing but 127.0.0.1 port-0-chosen ports.
      "--cluster.listen-address=",
      "--log.level=debug",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  return running(proc, port);
}
