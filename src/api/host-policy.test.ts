import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { HostPolicy, parseHost } from "./host-policy.ts";

const policy = (host: string, allowed: string[] = []) =>
  new HostPolicy({ host, port: () => 7070, allowedHosts: () => allowed });
const req = (headers: Record<string, string>, method = "GET") =>
  ({ headers, method }) as unknown as IncomingMessage;
const refused = (p: HostPolicy, headers: Record<string, string>, method?: string) =>
  p.refusal(req(headers, method))?.code;

describe("Host", () => {
  it("parses names, ports and IPv6 literals", () => {
    expect(parseHost("Example.COM.:80")).toEqual({ name: "example.com", port: 80 });
    expect(parseHost("[::1]:7070")).toEqual({ name: "::1", port: 7070 });
    expect(parseHost("vigil.internal")).toEqual({ name: "vigil.internal", port: undefined });
    for (const bad of ["", "a b", "x:99999", "user@host", "host:7070/path"])
      expect(parseHost(bad)).toBeUndefined();
  });

  it("a loopback listen address takes its loopback equivalents on its own port", () => {
    const p = policy("127.0.0.1");
    for (const host of ["127.0.0.1:7070", "localhost:7070", "LOCALHOST:7070", "[::1]:7070", "127.0.0.2:7070"])
      expect(refused(p, { host }), host).toBeUndefined();
    for (const host of [
      "evil.example",
      "evil.example:7070",
      "127.0.0.1",
      "127.0.0.1:7071",
      "localhost.evil.example:7070",
    ])
      expect(refused(p, { host }), host).toBe("HOST_NOT_ALLOWED");
    expect(refused(p, {})).toBe("HOST_NOT_ALLOWED");
  });

  it("a named or a specific address takes that name only", () => {
    expect(refused(policy("10.0.0.5"), { host: "10.0.0.5:7070" })).toBeUndefined();
    expect(refused(policy("10.0.0.5"), { host: "127.0.0.1:7070" })).toBe("HOST_NOT_ALLOWED");
    expect(refused(policy("[::1]"), { host: "localhost:7070" })).toBeUndefined();
  });

  it("a wildcard listen address takes any IP literal and localhost, never a name", () => {
    const p = policy("0.0.0.0");
    for (const host of ["192.0.2.7:7070", "[2001:db8::1]:7070", "localhost:7070"])
      expect(refused(p, { host }), host).toBeUndefined();
    expect(refused(p, { host: "evil.example:7070" })).toBe("HOST_NOT_ALLOWED");
  });

  it("agent.allowed_hosts: a name without a port matches any port, with one only that port", () => {
    const p = policy("127.0.0.1", ["vigil.internal", "proxy.internal:8443"]);
    expect(refused(p, { host: "vigil.internal" })).toBeUndefined();
    expect(refused(p, { host: "vigil.internal:9999" })).toBeUndefined();
    expect(refused(p, { host: "proxy.internal:8443" })).toBeUndefined();
    expect(refused(p, { host: "proxy.internal" })).toBe("HOST_NOT_ALLOWED");
  });
});

describe("Origin", () => {
  const p = policy("127.0.0.1", ["vigil.example.com"]);
  const host = "127.0.0.1:7070";

  it("a write from another origin, a null origin or a malformed one is refused", () => {
    for (const origin of [
      "http://evil.example",
      "null",
      "http://127.0.0.1:7071",
      "file://",
      "ftp://127.0.0.1:7070",
    ])
      expect(refused(p, { host, origin }, "POST"), origin).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("a write from the agent's own pages, or with no Origin (the CLI, curl), passes; reads are not checked", () => {
    for (const origin of ["http://127.0.0.1:7070", "http://localhost:7070", "https://vigil.example.com"])
      expect(refused(p, { host, origin }, "POST"), origin).toBeUndefined();
    expect(refused(p, { host }, "DELETE")).toBeUndefined();
    expect(refused(p, { host, origin: "http://evil.example" }, "GET")).toBeUndefined();
  });
});
