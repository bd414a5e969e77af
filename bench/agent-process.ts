/** Starting a real agent for a benchmark, and reading its CPU and memory from /proc. */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/**
 * The `vigil` command, as users run it (the built entry when current: bin/entry.js). `vigil up`
 * applies the Node flags and environment of bin/runtime.js itself, so the bench passes none.
 */
export const vigilBin = path.join(root, "bin/vigil.js");

export interface BenchAgent {
  proc: ChildProcess;
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `vigil up -c file` and resolves once it listens. */
export async function startBenchAgent(
  configFile: string,
  dataDir: string,
  timeoutMs = 120_000,
): Promise<BenchAgent> {
  const proc = spawn(process.execPath, [vigilBin, "up", "-c", configFile], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`agent did not start in ${timeoutMs} ms:\n${err}`)),
      timeoutMs,
    );
    proc.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /agent up at (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once("exit", (code) => reject(new Error(`agent exited with ${code}:\n${err}`)));
  });
  proc.stderr.resume();
  const token = fs.readFileSync(path.join(dataDir, "admin.token"), "utf8").trim();
  return {
    proc,
    url,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks (100 Hz on Linux)
}
