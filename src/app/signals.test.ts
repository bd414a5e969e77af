import { afterEach, describe, expect, it } from "vitest";
import type { App } from "./app.ts";
import { handleSignals } from "./signals.ts";

/** Enough of an App to see the order of calls: the ordering is what this file decides. */
function fakeApp(calls: string[]): App {
  return {
    stop: async (signal: string) => void calls.push(`stop ${signal}`),
    reload: async () => void calls.push("reload"),
    log: { error: () => undefined },
  } as unknown as App;
}

let dispose: (() => void) | undefined;
afterEach(() => dispose?.());

describe("handleSignals", () => {
  it("holds a SIGTERM that arrives while the agent starts until the start is over, then drains", async () => {
    const calls: string[] = [];
    let finishStart: () => void = () => undefined;
    const started = new Promise<void>((r) => (finishStart = r));
    const exited = new Promise<number>((resolve) => {
      dispose = handleSignals(fakeApp(calls), resolve, started);
    });
    process.emit("SIGTERM");
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
    calls.push("started");
    finishStart();
    expect(await exited).toBe(0);
    expect(calls).toEqual(["started", "stop SIGTERM"]);
  });

  it("still drains when the start failed, and a second Ctrl-C exits at once", async () => {
    const calls: string[] = [];
    const codes: number[] = [];
    const started = Promise.reject(new Error("port taken"));
    let drained: () => void = () => undefined;
    const done = new Promise<void>((r) => (drained = r));
    dispose = handleSignals(
      fakeApp(calls),
      (c) => {
        codes.push(c);
        if (c === 0) drained();
      },
      started,
    );
    process.emit("SIGINT");
    process.emit("SIGINT");
    expect(codes).toEqual([130]);
    await done;
    expect(calls).toEqual(["stop SIGINT"]);
  });

  it("ignores SIGHUP while draining instead of reloading a stopping agent", async () => {
    const calls: string[] = [];
    const exited = new Promise<number>((resolve) => {
      dispose = handleSignals(fakeApp(calls), resolve);
    });
    process.emit("SIGTERM");
    process.emit("SIGHUP");
    await exited;
    expect(calls).toEqual(["stop SIGTERM"]);
  });
});
