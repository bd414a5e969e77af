/**
 * The machine the claims corpus is about, set up for real and torn down: named processes (copies of
 * sleep), TCP listeners and ports known to be closed, an allowed folder with known files and a
 * folder outside governance.verify.paths, HTTP sites, thresholds of this machine's disk and memory
 * chosen far from what they are, and a Vigil agent in known states (state-agent.ts).
 *
 * `vars` fills the corpus's placeholders; nothing else of the state leaks into a claim's label.
 * Must not import: vitest (bench/claims.ts runs it under plain node), anything of src/governance.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startClaimsAgent, type AgentHandle, type StartAgent } from "./state-agent.ts";
import { startSite } from "./state-http.ts";
import { thresholds } from "./state-thresholds.ts";

export interface Machine {
  /** Placeholder values for the corpus: ports, paths, names, thresholds. */
  vars: Record<string, string>;
  agent: AgentHandle;
  /** Whether a container engine is reachable at all (decides what a container claim can be). */
  dockerReachable: boolean;
  /** Connections the site on 127.0.0.2 (a host outside verify.hosts) has had: must stay 0. */
  forbiddenContacts(): number;
  /** A file that a claim names inside `$(touch …)`: it must never come to exist. */
  canary: string;
  teardown(): Promise<void>;
}

/** The processes started under these names; `gamma` is copied but never started. */
const running = ["vigil-cx-alpha", "vigil-cx-beta", "vigil-cx-nginx", "vigil-cx-longworker"];

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !ok();) {
    if (Date.now() > deadline) throw new Error(`claims state: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A copy of sleep under `name`, started, seen by /proc under its name (comm holds 15 characters). */
async function startNamed(bin: string, name: string): Promise<ChildProcess> {
  const exe = path.join(bin, name);
  fs.copyFileSync("/bin/sleep", exe);
  fs.chmodSync(exe, 0o755);
  const child = spawn(exe, ["3600"], { stdio: "ignore" });
  children.add(child);
  child.once("exit", () => children.delete(child));
  await waitFor(`${name} to run`, () => commOf(child.pid!) === name.slice(0, 15));
  return child;
}

async function listener(host = "127.0.0.1"): Promise<net.Server> {
  const s = net.createServer((sock) => sock.end());
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(0, host, resolve);
  });
  return s;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = await listener();
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function writeFiles(out: string, priv: string, archive: string): void {
  fs.mkdirSync(path.join(out, "sub"), { recursive: true });
  fs.mkdirSync(priv);
  fs.mkdirSync(archive);
  fs.writeFileSync(
    path.join(out, "report.txt"),
    "build finished: 42 tests passed\nstatus: ok\nwritten by the nightly job\n",
  );
  fs.writeFileSync(path.join(out, "big.bin"), Buffer.alloc(3 * 1024 * 1024, 7)); // 3 MiB
  fs.writeFileSync(path.join(out, "medium.csv"), Buffer.alloc(600 * 1024, 0x2c)); // 600 KiB
  fs.writeFileSync(path.join(out, "empty.log"), "");
  fs.writeFileSync(path.join(out, "notes.md"), "# Notes\n\nMigration 0042 applied.\nTODO: nothing left\n");
  fs.writeFileSync(path.join(out, "sub", "result.json"), '{"status":"done","items":17}\n');
  fs.writeFileSync(path.join(priv, "secret.txt"), "password=hunter2\n");
  fs.writeFileSync(path.join(priv, "report.txt"), "build finished: 42 tests passed\n");
  fs.writeFileSync(path.join(archive, "report.txt"), "build finished: 42 tests passed\n");
  // Inside the allowed folder by name, outside it by what it points at.
  fs.symlinkSync(path.join(priv, "secret.txt"), path.join(out, "link.txt"));
}

/** Sets the machine up; `start` starts the Vigil agent (see state-agent.ts). */
export async function setUpMachine(start: StartAgent): Promise<Machine> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "vigil-claims-")));
  const cleanups: (() => Promise<unknown> | void)[] = [
    () => fs.rmSync(root, { recursive: true, force: true }),
  ];
  const teardown = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    for (const name of running) {
      const child = await startNamed(bin, name);
      cleanups.push(() => stopChild(child));
    }
    fs.copyFileSync("/bin/sleep", path.join(bin, "vigil-cx-gamma"));
    const stopped = await startNamed(bin, "vigil-cx-stopped");
    await stopChild(stopped);

    const out = path.join(root, "out");
    const priv = path.join(root, "private");
    const archive = path.join(root, "out-archive");
    writeFiles(out, priv, archive);

    const web = await listener();
    const queue = await listener();
    cleanups.push(
      () => closeServer(web),
      () => closeServer(queue),
    );
    const site = await startSite();
    const forbidden = await startSite("127.0.0.2");
    cleanups.push(
      () => site.close(),
      () => forbidden.close(),
    );
    const [closedA, closedB, httpDown, dbPort, apiPort] = await distinctClosedPorts(5);

    const agentDir = path.join(root, "agent");
    fs.mkdirSync(agentDir);
    const agent = await startClaimsAgent(
      {
        dir: agentDir,
        apiPort: apiPort!,
        dbPort: dbPort!,
        verifyPaths: [out],
        verifyHosts: ["127.0.0.1", "localhost", "::1"],
      },
      start,
    );
    cleanups.push(() => agent.stop());

    const portOf = (s: net.Server) => String((s.address() as net.AddressInfo).port);
    const vars: Record<string, string> = {
      root,
      out,
      private: priv,
      archive,
      bin,
      web: portOf(web),
      queue: portOf(queue),
      closedA: String(closedA),
      closedB: String(closedB),
      httpDown: String(httpDown),
      apiPort: String(apiPort),
      dbPort: String(dbPort),
      site: String(site.port),
      forbidden: String(forbidden.port),
      ...thresholds(out),
    };
    return {
      vars,
      agent,
      dockerReachable: fs.existsSync("/var/run/docker.sock"),
      forbiddenContacts: () => forbidden.connections(),
      canary: path.join(out, "pwned"),
      teardown,
    };
  } catch (e) {
    await teardown();
    throw e;
  }
}

async function distinctClosedPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; ports.size < n && i < n * 20; i++) ports.add(await closedPort());
  if (ports.size < n) throw new Error("claims state: could not find distinct free ports");
  return [...ports];
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

function closeServer(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}
