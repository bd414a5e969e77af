import { describe, expect, it } from "vitest";
import { PortConflicts } from "./port-conflicts.ts";

describe("port conflicts", () => {
  it("remembers who held a service's port until a start succeeds", () => {
    const c = new PortConflicts();
    c.observe("api", { kind: "port-conflict", port: 8001, holder: "pid 42 (python)" });
    expect(c.get("api")).toEqual({ port: 8001, holder: "pid 42 (python)" });
    c.observe("api", { kind: "restart-scheduled", delayMs: 100, reason: "port 8001 is held by pid 42" });
    expect(c.get("api")).toEqual({ port: 8001, holder: "pid 42 (python)" });
    c.observe("api", { kind: "started", pid: 7, adopted: false });
    expect(c.get("api")).toBeUndefined();
  });

  it("keeps the newest holder, and one service's conflict is its own", () => {
    const c = new PortConflicts();
    c.observe("api", { kind: "port-conflict", port: 8001, holder: "pid 42 (python)" });
    c.observe("api", { kind: "port-conflict", port: 8001, holder: "pid 43 (nc)" });
    c.observe("web", { kind: "started", pid: 8, adopted: true });
    expect(c.get("api")).toEqual({ port: 8001, holder: "pid 43 (nc)" });
    expect(c.get("web")).toBeUndefined();
  });
});
