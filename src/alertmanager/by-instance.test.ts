import { describe, expect, it } from "vitest";
import { agentByInstance, instanceHost, type FleetAgent } from "./by-instance.ts";

const fleet: FleetAgent[] = [
  { name: "web-1", host: "box-a.example.com", alive: true },
  { name: "web-2", host: "box-b", alive: true },
  { name: "db-1", host: "box-c", alive: true },
  { name: "db-2", host: "box-c", alive: true },
];

describe("the agent an alert's instance names", () => {
  it("strips the port from a host, an IPv4 address or a bracketed IPv6 address", () => {
    expect(instanceHost("web-1:9100")).toBe("web-1");
    expect(instanceHost("10.0.0.7:9100")).toBe("10.0.0.7");
    expect(instanceHost("[fd00::1]:9100")).toBe("fd00::1");
    expect(instanceHost("fd00::1")).toBe("fd00::1");
    expect(instanceHost("Web-1")).toBe("web-1");
  });

  it("is the agent of that name, its host's first label, or the one agent on that host", () => {
    expect(agentByInstance("web-2:9100", fleet)).toBe("web-2");
    expect(agentByInstance("WEB-2.example.com:9100", fleet)).toBe("web-2");
    expect(agentByInstance("box-a.example.com:9100", fleet)).toBe("web-1");
    expect(agentByInstance("box-a:9100", fleet)).toBe("web-1");
    expect(agentByInstance("box-b.internal:9100", fleet)).toBe("web-2");
  });

  it("names nobody for an unknown host, a host with several agents, or no instance", () => {
    expect(agentByInstance("box-z:9100", fleet)).toBeUndefined();
    expect(agentByInstance("box-c:9100", fleet)).toBeUndefined();
    expect(agentByInstance("10.0.0.7:9100", fleet)).toBeUndefined();
    expect(agentByInstance(undefined, fleet)).toBeUndefined();
    expect(agentByInstance("", fleet)).toBeUndefined();
  });
});
