import { describe, expect, it } from "vitest";
import { freePort, type FreePortDeps } from "./free-port.ts";

function deps(stopped: { ok: boolean; detail: string }) {
  const calls: string[] = [];
  const d: FreePortDeps = {
    sleep: async () => undefined,
    recover: async () => void calls.push("recover"),
    stopHolder: async (port) => {
      calls.push(`stop ${port}`);
      return stopped;
    },
  };
  return { d, calls };
}

describe("free-port", () => {
  it("stops the holder, then starts the service, and says both", async () => {
    const { d, calls } = deps({ ok: true, detail: "stopped pid 42 (python), which held port 8001" });
    expect(await freePort("api", 8001, d)).toEqual({
      ok: true,
      detail: "stopped pid 42 (python), which held port 8001; api started",
    });
    expect(calls).toEqual(["stop 8001", "recover"]);
  });

  it("starts nothing when the holder could not be stopped", async () => {
    const detail = "port 8001 is held by a process this user cannot see, which this agent cannot see";
    const { d, calls } = deps({ ok: false, detail });
    expect(await freePort("api", 8001, d)).toEqual({ ok: false, detail });
    expect(calls).toEqual(["stop 8001"]);
  });

  it("refuses a service that declares no port", async () => {
    const { d, calls } = deps({ ok: true, detail: "" });
    expect(await freePort("api", undefined, d)).toEqual({ ok: false, detail: "api declares no port" });
    expect(calls).toEqual([]);
  });
});
