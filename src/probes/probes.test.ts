/**
 * Every probe against real things on 127.0.0.1, plus the contract all of them keep: a reading or an
 * error with a failure class, never a throw, and a prompt return when the check's signal aborts.
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../core/clock.ts";
import { execArgv } from "../gateway/exec.ts";
import { freePort } from "../../test/helpers/net.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { probes } from "./index.ts";
import type { ProbeEnvironment, ProbeOutcome } from "./probe.ts";
import { probeSchemas } from "./schemas.ts";

const heartbeats = new Map<string, number>();
const env: ProbeEnvironment = {
  clock: systemClock,
  lastHeartbeat: (c) => heartbeats.get(c),
  watchingSince: () => Date.now() - 60_000,
  servicePids: (s) => (s === "self" ? [process.pid] : []),
  exec: execArgv,
};

/** Parses the config through the probe's own schema (as the loader does) and runs it. */
async function run(type: string, config: unknown, opts: { timeoutMs?: number; abortAfterMs?: number } = {}) {
  const probe = probes.get(type);
  if (!probe) throw new Error(`no probe ${type}`);
  const parsed = probeSchemas[type as keyof typeof probeSchemas].schema.parse(config);
  const controller = new AbortController();
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const timer = setTimeout(() => controller.abort(new Error("timeout")), opts.abortAfterMs ?? timeoutMs);
  const started = performance.now();
  try {
    const outcome: ProbeOutcome = await probe.run(parsed, {
      target: "t",
      timeoutMs,
      signal: controller.signal,
      env,
    });
    return { outcome, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

let server: http.Server;
let port: number;
const hanging = new Set<http.ServerResponse>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === "/ok") return res.end(JSON.stringify({ status: "healthy", items: [1, 2] }));
    if (req.url === "/down") {
      res.writeHead(503);
      return res.end("down");
    }
    if (req.url === "/moved") {
      res.writeHead(302, { location: "/ok" });
      return res.end();
    }
    if (req.url === "/echo" && req.method === "POST") {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => res.end(JSON.stringify({ got: body, auth: req.headers.authorization ?? null })));
      return;
    }
    hanging.add(res); // /hang: never answers
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((r) => server.close(r));
});

describe("the probe registry", () => {
  it("registers every probe file, and every registered probe has a schema in schemas.ts", () => {
    const dir = import.meta.dirname;
    const files = fs
      .readdirSync(dir)
      .filter(
        (f) =>
          f.endsWith(".ts") &&
          !/\.(schema|test)\.ts$/.test(f) &&
          !["probe.ts", "index.ts", "schemas.ts"].includes(f),
      )
      .map((f) => f.replace(/\.ts$/, ""))
      .sort();
    expect(probes.names().sort()).toEqual(files);
    for (const name of probes.names()) {
      expect(Object.keys(probeSchemas)).toContain(name);
      expect(probes.get(name)!.provides.length).toBeGreaterThan(0);
    }
  });
});

describe("http", () => {
  it("reads status, body and response time", async () => {
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/ok` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      STATUS: 200,
      CONNECTED: true,
      BODY: '{"status":"healthy","items":[1,2]}',
    });
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
  });

  it("a 503 is a reading, not an error: the conditions judge it", async () => {
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/down` });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values.STATUS).toBe(503);
  });

  it("follows redirects unless told not to", async () => {
    expect((await run("http", { url: `http://127.0.0.1:${port}/moved` })).outcome.values.STATUS).toBe(200);
    const { outcome } = await run("http", { url: `http://127.0.0.1:${port}/moved`, follow_redirects: false });
    expect(outcome.values.STATUS).toBe(302);
  });

  it("sends method, headers and body", async () => {
    const { outcome } = await run("http", {
      url: `http://127.0.0.1:${port}/echo`,
      method: "POST",
      headers: { authorization: "Bearer x" },
      body: "ping",
    });
    expect(JSON.parse(outcome.values.BODY as string)).toEqual({ got: "ping", auth: "Bearer x" });
  });

  it("a refused connection is classified", async () => {
    const closed = await freePort();
    const { outcome } = await run("http", { url: `http://127.0.0.1:${closed}/` });
    expect(outcome.error?.class).toBe("connection_refused");
    expect(outcome.values.CONNECTED).toBe(false);
  });

  it("a server that never answers is a timeout, returned promptly when the signal aborts", async () => {
    const { outcome, ms } = await run(
      "http",
      { url: `http://127.0.0.1:${port}/hang` },
      { abortAfterMs: 150 },
    );
    expect(outcome.error?.class).toBe("timeout");
    expect(ms).toBeLessThan(1_500);
  });
});

describe("tcp", () => {
  it("connects to a listening port and is refused by a closed one", async () => {
    expect((await run("tcp", { port })).outcome.values.CONNECTED).toBe(true);
    const { outcome } = await run("tcp", { port: await freePort() });
    expect(outcome.values.CONNECTED).toBe(false);
    expect(outcome.error?.class).toBe("connection_refused");
  });
});

describe("command", () => {
  it("reads the exit code and output of a real program run without a shell", async () => {
    const { outcome } = await run("command", {
      run: [process.execPath, "-e", "process.stdout.write('ready; $(id)'); process.exit(3)"],
    });
    expect(outcome.values).toMatchObject({ EXIT_CODE: 3, STDOUT: "ready; $(id)" });
    expect(outcome.error).toBeUndefined();
  });

  it("a program that hangs is killed at the timeout", async () => {
    const { outcome, ms } = await run("command", { run: ["sleep", "30"] }, { timeoutMs: 200 });
    expect(outcome.error?.class).toBe("timeout");
    expect(ms).toBeLessThan(2_000);
  });

  it("a program that does not exist is an error, not a throw", async () => {
    const { outcome } = await run("command", { run: ["/nonexistent/program"] });
    expect(outcome.error?.message).toMatch(/cannot run/);
  });
});

describe("disk and memory", () => {
  it("reads the disk a path is on, and names a path that does not exist", async () => {
    const { outcome } = await run("disk", { path: tempDir() });
    expect(outcome.values.USED_PERCENT).toBeGreaterThan(0);
    expect(outcome.values.USED_PERCENT).toBeLessThanOrEqual(100);
    expect(outcome.values.FREE_BYTES).toBeGreaterThan(0);
    const missing = await run("disk", { path: "/nonexistent/vigil" });
    expect(missing.outcome.error?.message).toMatch(/cannot stat \/nonexistent\/vigil/);
  });

  it("reads host memory, and a service's own RSS and CPU", async () => {
    const host = await run("memory", {});
    expect(host.outcome.values.USED_PERCENT).toBeGreaterThan(0);
    expect(host.outcome.values.TOTAL_BYTES).toBeGreaterThan(0);
    const self = await run("memory", { service: "self" });
    expect(self.outcome.values.RSS_MB).toBeGreaterThan(10);
    expect(self.outcome.values.CPU_PERCENT).toBeGreaterThanOrEqual(0);
    const gone = await run("memory", { service: "stopped-one" });
    expect(gone.outcome.error?.class).toBe("process_exited");
  });
});

describe("process", () => {
  it("finds a process by pidfile and by name, and says when it is not there", async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, "x.pid");
    fs.writeFileSync(pidfile, `${process.pid}\n`);
    expect((await run("process", { pidfile })).outcome.values.RUNNING).toBe(true);
    const comm = fs.readFileSync(`/proc/${process.pid}/comm`, "utf8").trim();
    const byName = await run("process", { name: comm });
    expect(byName.outcome.values.RUNNING).toBe(true);
    expect(byName.outcome.values.COUNT).toBeGreaterThanOrEqual(1);
    const missing = await run("process", { pidfile: path.join(dir, "none.pid") });
    expect(missing.outcome.error?.class).toBe("process_exited");
  });
});

describe("heartbeat", () => {
  it("is missed when nothing arrived within the window, and fine after a push", async () => {
    heartbeats.delete("t");
    const missed = await run("heartbeat", { within: "30s" });
    expect(missed.outcome.error?.class).toBe("heartbeat_missed");
    expect(missed.outcome.error?.message).toMatch(/no heartbeat yet; expected one within 30s/);
    heartbeats.set("t", Date.now() - 1_000);
    const ok = await run("heartbeat", { within: "30s" });
    expect(ok.outcome.error).toBeUndefined();
    expect(ok.outcome.values.LAST_SEEN).toBeGreaterThanOrEqual(1_000);
  });
});

describe("the contract every probe keeps", () => {
  const configs: Record<string, unknown> = {
    http: { url: "http://127.0.0.1:1/" },
    tcp: { port: 1 },
    command: { run: ["sleep", "30"] },
    disk: { path: "/" },
    memory: {},
    process: { name: "surely-not-running" },
    heartbeat: { within: "1h" },
  };

  it.each(probes.names())("%s never throws and returns promptly on an aborted signal", async (type) => {
    const config = configs[type];
    expect(config, `add a config for the ${type} probe to this test`).toBeDefined();
    const { outcome, ms } = await run(type, config, { abortAfterMs: 0 });
    expect(typeof outcome.values).toBe("object");
    if (outcome.error)
      expect(["timeout", "connection_refused", "process_exited", "unknown", "heartbeat_missed"]).toContain(
        outcome.error.class,
      );
    expect(ms).toBeLessThan(1_500);
  });
});
