/**
 * Prometheus for tests: the exposition format parsed into series, Debian's `promtool` and
 * `prometheus` binaries run as real processes (argv only), and whether they are installed at all.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "./net.ts";

/** Whether `bin` runs here (`.ci/run` installs Debian's `prometheus` package, which has both). */
export function installed(bin: string): boolean {
  return spawnSync(bin, ["--version"], { stdio: "ignore" }).error === undefined;
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample line of a text exposition. */
export function parseExposition(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one series named `name` whose labels include `labels`, if any. */
export function valueOf(series: readonly Series[], name: string, labels: Record<string, string> = {}) {
  return series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

/** `promtool check metrics` with the exposition on stdin: its exit code and everything it printed. */
export function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    p.stdout.on("data", (d: Buffer) => (output += d.toString()));
    p.stderr.on("data", (d: Buffer) => (output += d.toString()));
    p.on("error", reject);
    p.on("exit", (code) => resolve({ code, output }));
    p.stdin.end(text);
  });
}

export interface RunningPrometheus {
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts `prometheus` on 127.0.0.1 with `config` (YAML text), its TSDB and config inside `dir`. */
export async function startPrometheus(config: string, dir: string): Promise<RunningPrometheus> {
  const configFile = path.join(dir, "prometheus.yml");
  fs.writeFileSync(configFile, config);
  const port = await freePort();
  const proc = spawn(
    "prometheus",
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  return running(proc, port);
}

/**
 * A server process a test started on 127.0.0.1:`port`: its output (the last 200 KB), and a stop
 * that sends SIGTERM, then SIGKILL after 10 s. Killed with the test process whatever happens.
 */
export function running(proc: ChildProcess, port: number): RunningPrometheus {
  let out = "";
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const kill = () => proc.kill("SIGKILL");
  process.on("exit", kill);
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    stop: async () => {
      process.off("exit", kill);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
