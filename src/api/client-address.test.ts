import { describe, expect, it } from "vitest";
import { addressKey } from "./client-address.ts";

describe("the failure limiter's address key", () => {
  it("counts all of 127.0.0.0/8 and ::1 as one host", () => {
    for (const a of [
      "127.0.0.1",
      "127.0.0.2",
      "127.255.255.254",
      "::1",
      "::ffff:127.0.0.5",
      "0:0:0:0:0:0:0:1",
    ])
      expect(addressKey(a), a).toBe("loopback");
  });

  it("counts an IPv6 peer by its /64", () => {
    expect(addressKey("2001:db8:1:2::7")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::7")).toBe("2001:db8:1:3::/64");
    expect(addressKey("2001:0DB8:0001:0002:0:0:0:1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("64:ff9b::192.0.2.1")).toBe("64:ff9b:0:0::/64");
  });

  it("keeps an IPv4 address (mapped or not) as it is", () => {
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
  });

  it("passes anything else through", () => {
    expect(addressKey("unknown")).toBe("unknown");
  });
});
