import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Engine, EngineError, demultiplex, engineSocket, type EngineEvent } from "./engine.ts";
import { TEST_LABEL, testEngine, throwaway, uniqueName } from "../../test/helpers/engine.ts";
import { until } from "../../test/helpers/poll.ts";
import { tempDir } from "../../test/helpers/tmp.ts";

describe("engineSocket", () => {
  it("takes agent.docker.host, then DOCKER_HOST, then the standard socket", () => {
    expect(engineSocket("unix:///a.sock", { DOCKER_HOST: "unix:///b.sock" })).toBe("/a.sock");
    expect(engineSocket(undefined, { DOCKER_HOST: "unix:///b.sock" })).toBe("/b.sock");
    expect(engineSocket(undefined, {})).toBe("/var/run/docker.sock");
    expect(() => engineSocket(undefined, { DOCKER_HOST: "tcp://10.0.0.1:2375" })).toThrow(
      /DOCKER_HOST must be unix:/,
    );
    expect(() => engineSocket("ssh://host")).toThrow(/agent.docker.host must be unix:/);
  });
});

describe("demultiplex", () => {
  it("splits frames into lines per stream, joining a line cut across frames", () => {
    const frame = (kind: number, s: string) => {
      const body = Buffer.from(s);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const buf = Buffer.concat([frame(1, "a\nb"), frame(2, "oops\n"), frame(1, "c\n"), frame(1, "tail")]);
    expect(demultiplex(buf)).toEqual([
      { stream: "stdout", text: "a" },
      { stream: "stderr", text: "oops" },
      { stream: "stdout", text: "bc" },
      { stream: "stdout", text: "tail" },
    ]);
    // a frame cut short by the size bound is dropped, not read past the buffer
    expect(demultiplex(frame(1, "whole\n").subarray(0, 10))).toEqual([]);
  });

  it("reads a megabyte of one-byte frames and a frame of a million lines in one pass", () => {
    // A frame is one write of the container's: dots printed one at a time come a frame each. The
    // line so far was searched again for each (5 s for a megabyte, a minute at the 4 MiB read), and
    // a frame of a million newlines overflowed the stack. Each is one pass now; the bound is the
    // test's timeout.
    const head = (kind: number, size: number) => {
      const h = Buffer.alloc(8);
      h[0] = kind;
      h.writeUInt32BE(size, 4);
      return h;
    };
    const dot = Buffer.concat([head(1, 1), Buffer.from(".")]);
    const dots = demultiplex(Buffer.concat(Array<Buffer>(1 << 20).fill(dot)));
    expect(dots.length === 1 && dots[0]!.text === ".".repeat(1 << 20)).toBe(true);
    const newlines = demultiplex(Buffer.concat([head(2, 1 << 20), Buffer.alloc(1 << 20, "\n")]));
    expect(newlines.length === 1 << 20 && newlines.every((l) => l.stream === "stderr" && l.text === "")).toBe(
      true,
    );
    // A character written in two writes is one character.
    const e = Buffer.from("é");
    const split = Buffer.concat([
      head(1, 2),
      Buffer.from([0x61, e[0]!]),
      head(1, 2),
      Buffer.from([e[1]!, 0x0a]),
    ]);
    expect(demultiplex(split)).toEqual([{ stream: "stdout", text: "aé" }]);
  });
});

describe("Engine against the real engine", () => {
  it("answers a ping", async () => {
    const engine = await testEngine();
    await expect(engine.ping()).resolves.toBeUndefined();
  });

  it("creates, inspects, lists by label, stops, starts, restarts, kills and removes", async () => {
    const group = uniqueName("grp");
    const { id, name, engine } = await throwaway({ Labels: { "test.group": group } });
    await throwaway({ Labels: { "test.group": `${group}-other` }, start: false });

    const info = await engine.inspect(name);
    expect(info).toMatchObject({
      id,
      name,
      status: "running",
      running: true,
      exitCode: 0,
      oomKilled: false,
      hasHealthcheck: false,
      health: undefined,
      tty: false,
    });
    expect(info.labels["test.group"]).toBe(group);
    expect(info.pid).toBeGreaterThan(0);
    expect(info.startedAt).toBeGreaterThan(Date.now() - 60_000);

    const listed = await engine.list({ labels: { "test.group": group } });
    expect(listed.map((c) => c.name)).toEqual([name]);
    expect(listed[0]).toMatchObject({ id, state: "running" });
    const byKey = await engine.list({ labels: { [TEST_LABEL]: undefined, "test.group": `${group}-other` } });
    expect(byKey.map((c) => c.state)).toEqual(["created"]);

    await engine.stop(id, 1);
    const stopped = await engine.inspect(id);
    expect(stopped.running).toBe(false);
    expect(stopped.status).toBe("exited");
    await engine.stop(id, 1); // already stopped: not an error
    await engine.start(id);
    const started = await engine.inspect(id);
    expect(started.running).toBe(true);
    await engine.start(id); // already running: not an error
    await engine.restart(id, 1);
    expect((await engine.inspect(id)).pid).not.toBe(started.pid);

    await engine.kill(id, "SIGKILL");
    const killed = await until("the kill", async () => {
      const i = await engine.inspect(id);
      return i.running ? undefined : i;
    });
    expect(killed.exitCode).toBe(137);

    await engine.remove(id, { force: true });
    await engine.remove(id, { force: true }); // already gone: not an error
    const err = await engine.inspect(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: "not_found", status: 404 });
  });

  it("says whether a container has a HEALTHCHECK and reports its status", async () => {
    const { name, engine } = await throwaway({
      Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 60e9, Timeout: 5e9, Retries: 1 },
    });
    const info = await engine.inspect(name);
    expect(info.hasHealthcheck).toBe(true);
    expect(info.health).toMatch(/^(starting|healthy)$/);
  });

  it("reads one stats sample: CPU counters and memory", async () => {
    const { id, engine } = await throwaway();
    const s = await engine.stats(id);
    expect(s.cpuTotal).toBeGreaterThan(0);
    expect(s.onlineCpus).toBeGreaterThanOrEqual(1);
    expect(s.memoryBytes).toBeGreaterThan(0);
    expect(s.readAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it("reads logs, stdout and stderr apart", async () => {
    const { id, engine } = await throwaway({ Cmd: ["sh", "-c", "echo out1; echo err1 >&2; echo out2"] });
    await until("the exit", async () => ((await engine.inspect(id)).running ? undefined : true));
    const { lines, truncated } = await engine.logs(id);
    expect(truncated).toBe(false);
    // the engine orders each stream, not the two against each other
    expect(lines.filter((l) => l.stream === "stderr").map((l) => l.text)).toEqual(["err1"]);
    expect(lines.filter((l) => l.stream === "stdout").map((l) => l.text)).toEqual(["out1", "out2"]);
  });

  it("reads the last lines with tail, and at most maxBytes", async () => {
    const { id, engine } = await throwaway({
      Cmd: ["sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done"],
    });
    await until("the exit", async () => ((await engine.inspect(id)).running ? undefined : true));
    expect((await engine.logs(id)).lines).toHaveLength(200);
    const tail = await engine.logs(id, { tail: 2 });
    expect(tail.lines).toEqual([
      { stream: "stdout", text: "line198" },
      { stream: "stdout", text: "line199" },
    ]);
    const bounded = await engine.logs(id, { maxBytes: 100 });
    expect(bounded.truncated).toBe(true);
    expect(bounded.lines.length).toBeGreaterThan(0);
    expect(bounded.lines.length).toBeLessThan(20);
    expect(bounded.lines[0]).toEqual({ stream: "stdout", text: "line0" });
  });

  it("reads a TTY container's logs as stdout", async () => {
    const { id, engine } = await throwaway({ Tty: true, Cmd: ["sh", "-c", "echo hello; echo world >&2"] });
    await until("the exit", async () => ((await engine.inspect(id)).running ? undefined : true));
    const { lines } = await engine.logs(id);
    expect(lines.map((l) => l.stream)).toEqual(["stdout", "stdout"]);
    expect(lines.map((l) => l.text)).toEqual(["hello", "world"]);
  });

  it("follows /events until aborted: a kill from outside is a die event", async () => {
    const { id, engine } = await throwaway();
    const seen: EngineEvent[] = [];
    const controller = new AbortController();
    const following = engine.events(
      { filters: { type: ["container"], container: [id] } },
      (e) => seen.push(e),
      controller.signal,
    );
    // the stream is open once the engine reports something of ours: a no-op kill signal
    await until("the stream", async () => {
      await engine.kill(id, "SIGWINCH");
      return seen.length > 0 ? true : undefined;
    });
    await engine.kill(id, "SIGKILL");
    const die = await until("the die event", async () => seen.find((e) => e.action === "die"));
    expect(die).toMatchObject({ type: "container", id });
    expect(die.time).toBeGreaterThan(Date.now() - 60_000);
    controller.abort();
    await expect(following).resolves.toBeUndefined();
  });
});

describe("Engine errors", () => {
  it("names the socket when nothing is there", async () => {
    const sock = path.join(tempDir(), "none.sock");
    const engine = new Engine(sock);
    const err = await engine.inspect("api").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ kind: "unreachable", socket: sock });
    expect((err as Error).message).toContain(`cannot reach the container engine at ${sock}: no such socket`);
    const events = engine.events({}, () => undefined, new AbortController().signal);
    await expect(events).rejects.toMatchObject({ kind: "unreachable" });
  });

  it("gives up at the timeout when the engine accepts and never answers", async () => {
    const sock = path.join(tempDir(), "silent.sock");
    const held: net.Socket[] = [];
    const server = net.createServer((s) => held.push(s));
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const engine = new Engine(sock);
      const err = await engine.ping({ timeoutMs: 200 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: "timeout", socket: sock });
      expect((err as Error).message).toContain(sock);
      engine.close();
    } finally {
      for (const s of held) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it("says what the engine answered for another status", async () => {
    const engine = await testEngine();
    const err = await engine
      .create(uniqueName(), { Image: "localhost/no-such-image:never" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toMatch(/^(status|not_found)$/);
    expect((err as Error).message).toContain("/containers/create");
  });
});
