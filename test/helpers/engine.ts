/**
 * The real container engine for tests: Podman's Docker-compatible API on a unix socket
 * (scripts/container-engine), and throwaway containers from localhost/busybox:test with host
 * networking and unique names, removed after each test.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { afterEach } from "vitest";
import { Engine, type CreateSpec } from "../../src/containers/engine.ts";

export const TEST_IMAGE = "localhost/busybox:test";
/** Every throwaway container carries it, so a test run's leftovers can be found. */
export const TEST_LABEL = "vigil.test";

const script = path.resolve(import.meta.dirname, "../../scripts/container-engine");
let host: Promise<string> | undefined;

async function reachable(dockerHost: string | undefined): Promise<boolean> {
  if (!dockerHost?.startsWith("unix://")) return false;
  const engine = Engine.fromHost(dockerHost);
  try {
    await engine.ping({ timeoutMs: 3_000 });
    return true;
  } catch {
    return false;
  } finally {
    engine.close();
  }
}

/**
 * DOCKER_HOST of a running engine: the environment's when it answers, else the one
 * `scripts/container-engine start` starts (it installs podman on first use). Sets process.env.
 */
export function dockerHost(): Promise<string> {
  host ??= (async () => {
    if (await reachable(process.env.DOCKER_HOST)) return process.env.DOCKER_HOST!;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(script, ["start"], { timeout: 600_000 }, (err, stdout, stderr) =>
        err
          ? reject(new Error(`scripts/container-engine start failed: ${stderr || err.message}`))
          : resolve(stdout),
      ),
    );
    const found = /DOCKER_HOST=(\S+)/.exec(out)?.[1];
    if (!found || !(await reachable(found)))
      throw new Error(`scripts/container-engine start: no engine (${out})`);
    process.env.DOCKER_HOST = found;
    return found;
  })();
  return host;
}

/** A client on the test engine, closed after the test. */
export async function testEngine(): Promise<Engine> {
  const engine = Engine.fromHost(await dockerHost());
  clients.push(engine);
  return engine;
}

let seq = 0;
/** A name no other test (or parallel test file) uses. */
export function uniqueName(prefix = "vt"): string {
  return `${prefix}-${process.pid}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
}

const created: { engine: Engine; id: string }[] = [];
const clients: Engine[] = [];

/**
 * Creates (and by default starts) a container from the test image: `sleep 600` unless `cmd`
 * says otherwise, host networking, removed after the test.
 */
export async function throwaway(
  opts: Partial<CreateSpec> & { name?: string; start?: boolean } = {},
): Promise<{ id: string; name: string; engine: Engine }> {
  const engine = await testEngine();
  const { name = uniqueName(), start = true, ...spec } = opts;
  const id = await engine.create(name, {
    Cmd: ["sleep", "600"],
    ...spec,
    Image: spec.Image ?? TEST_IMAGE,
    Labels: { [TEST_LABEL]: "1", ...spec.Labels },
    HostConfig: { NetworkMode: "host", ...spec.HostConfig },
  });
  created.push({ engine, id });
  if (start) await engine.start(id);
  return { id, name, engine };
}

afterEach(async () => {
  const gone = created.splice(0);
  await Promise.all(gone.map(({ engine, id }) => engine.remove(id, { force: true }, { timeoutMs: 30_000 })));
  for (const c of clients.splice(0)) c.close();
});

/**
 * A unix socket in front of the test engine, to take the engine away from one agent or probe
 * without stopping the one every test shares: `close()` refuses new connections and cuts the open
 * ones, as an engine that went away does; `cut()` does the same until `restore()` (an engine that
 * comes back).
 */
export async function engineProxy(
  dir: string,
): Promise<{ host: string; socket: string; close(): Promise<void>; cut(): void; restore(): void }> {
  const target = (await dockerHost()).slice("unix://".length);
  const socket = path.join(dir, "proxy.sock");
  const open = new Set<net.Socket>();
  let cut = false;
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of open) s.destroy();
    }));
  proxies.push(close);
  return {
    host: `unix://${socket}`,
    socket,
    close,
    cut() {
      cut = true;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
  };
}
const proxies: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((close) => close()));
});

/**
 * Runs a container's HEALTHCHECK now, through Podman's own API on the same socket: the test engine
 * has no systemd timers to run it on its interval. Resolves with the resulting status.
 */
export async function runHealthcheck(name: string): Promise<string> {
  const socket = (await dockerHost()).slice("unix://".length);
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        socketPath: socket,
        path: `/v4.0.0/libpod/containers/${encodeURIComponent(name)}/healthcheck`,
        timeout: 30_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => (body += d));
        res.on("end", () => {
          if (res.statusCode !== 200)
            return reject(new Error(`healthcheck ${name}: ${res.statusCode} ${body}`));
          resolve((JSON.parse(body) as { Status: string }).Status);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("healthcheck timed out")));
    req.on("error", reject);
  });
}
