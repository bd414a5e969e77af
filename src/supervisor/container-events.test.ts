/**
 * The event stream's reconnects, against a real HTTP server on a unix socket speaking the engine's
 * `/events`: a real engine cannot be made to drop its stream on cue. The engine itself is in
 * test/e2e/container-services.test.ts.
 */
import http from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Engine, type EngineEvent } from "../containers/engine.ts";
import { systemClock } from "../core/clock.ts";
import { silentLogger } from "../core/log.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { ContainerEvents } from "./container-events.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A stand-in engine: each `/events` request is kept open until the test ends or drops it. */
async function fakeEngine() {
  const socket = path.join(tempDir("vigil-ev-"), "engine.sock");
  const requests: URL[] = [];
  const streams: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://engine");
    if (url.pathname !== "/events") return void res.writeHead(404).end();
    requests.push(url);
    res.writeHead(200, { "content-type": "application/json" });
    res.flushHeaders();
    streams.push(res);
  });
  await new Promise<void>((r) => server.listen(socket, r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of streams) s.destroy();
        server.close(() => r());
      }),
  );
  const die = (id: string) => {
    const line = JSON.stringify({
      Type: "container",
      Action: "die",
      Actor: { ID: id, Attributes: { exitCode: "137" } },
      time: Math.floor(Date.now() / 1000),
      timeNano: Date.now() * 1e6,
    });
    streams.at(-1)!.write(`${line}\n`);
  };
  return { socket, requests, streams, die };
}

/** The event stream on an engine at `socket`, both closed when the test ends. */
function eventsOn(socket: string): ContainerEvents {
  const engine = new Engine(socket);
  const events = new ContainerEvents({ engine: () => engine, clock: systemClock, log: silentLogger() });
  cleanups.push(
    () => engine.close(),
    () => events.stop(),
  );
  return events;
}

describe("container event stream", () => {
  it("delivers a die to the listeners of that container only, and none after they stop listening", async () => {
    const fake = await fakeEngine();
    const events = eventsOn(fake.socket);
    await events.start();
    expect(events.open).toBe(true);
    // Docker filters on "die", Podman only on its own name for it.
    expect(JSON.parse(fake.requests[0]!.searchParams.get("filters")!)).toEqual({
      type: ["container"],
      event: ["die", "died"],
    });
    const a: EngineEvent[] = [];
    const b: EngineEvent[] = [];
    const stopA = events.listen("aaa", (e) => a.push(e));
    events.listen("bbb", (e) => b.push(e));
    fake.die("aaa");
    await expect.poll(() => a.length).toBe(1);
    expect(a[0]).toMatchObject({ id: "aaa", action: "die", attributes: { exitCode: "137" } });
    stopA();
    fake.die("aaa");
    fake.die("bbb");
    await expect.poll(() => b.length).toBe(1);
    expect(a).toHaveLength(1);
  });

  it("reopens a dropped stream, asks for what it missed, and has every service check by inspect", async () => {
    const fake = await fakeEngine();
    const events = eventsOn(fake.socket);
    let checks = 0;
    events.onReconnect(() => checks++);
    await events.start();
    expect(checks).toBe(0);
    expect(fake.requests[0]!.searchParams.has("since")).toBe(false);
    const seen: EngineEvent[] = [];
    events.listen("aaa", (e) => seen.push(e));
    const droppedAt = Date.now();
    fake.streams[0]!.destroy();
    await expect.poll(() => fake.requests.length, { timeout: 5_000 }).toBe(2);
    await expect.poll(() => checks).toBe(1);
    // Replayed from a little before the drop, in the engine's whole seconds.
    const since = Number(fake.requests[1]!.searchParams.get("since"));
    expect(since).toBeLessThanOrEqual(Math.floor(droppedAt / 1000));
    expect(since).toBeGreaterThan(Math.floor(droppedAt / 1000) - 10);
    fake.die("aaa");
    await expect.poll(() => seen.length).toBe(1);
  });

  it("keeps trying while the engine is away, and stops trying when stopped", async () => {
    const socket = path.join(tempDir("vigil-ev-"), "absent.sock");
    const events = eventsOn(socket);
    const t = Date.now();
    await events.start(300);
    expect(Date.now() - t).toBeGreaterThanOrEqual(250);
    expect(events.open).toBe(false);
    await events.stop();
    expect(events.open).toBe(false);
  });
});
