/**
 * Claim sources for tests of claim kinds and the verifier: the machine as it is (real files, sockets,
 * processes), with the agent's side (targets, runs, jobs, backups) given by the test.
 */
import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { afterEach } from "vitest";
import type { ClaimSources } from "../../src/governance/claims/sources.ts";
import type { KnownNames } from "../../src/governance/claims/kind.ts";
import { tempDir } from "./tmp.ts";

export function claimSources(over: Partial<ClaimSources> = {}): ClaimSources {
  return {
    now: () => Date.now(),
    paths: () => [],
    hosts: () => ["127.0.0.1", "::1", "localhost"],
    targets: () => [],
    readsContainer: () => false,
    serviceUrl: () => undefined,
    actionNames: () => [],
    getRun: async () => undefined,
    runs: async () => [],
    backups: async () => [],
    jobs: () => [],
    engine: () => undefined,
    ...over,
  };
}

export const noNames: KnownNames = {
  targets: new Set(),
  containers: new Set(),
  actions: new Set(),
  jobs: new Set(),
};

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

/**
 * A real process called `name` (a copy of sleep under that name), running until the test ends.
 * Resolves once /proc shows it.
 */
export async function processNamed(name: string): Promise<ChildProcess> {
  const dir = tempDir("vigil-claim-proc-");
  const bin = path.join(dir, name);
  fs.copyFileSync(fs.existsSync("/bin/sleep") ? "/bin/sleep" : "/usr/bin/sleep", bin);
  fs.chmodSync(bin, 0o755);
  const child = spawn(bin, ["300"], { stdio: "ignore" });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", reject);
  });
  return child;
}
