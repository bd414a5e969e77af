/**
 * The address the failure limiter counts a request by. Not the peer's address as such: one who holds
 * a range gets one allowance for the whole range. Every address of 127.0.0.0/8 and ::1 are one host
 * ("loopback"), an IPv6 peer counts by its /64 (one customer's allocation; a host picks any address
 * in it), and an IPv4-mapped IPv6 address counts as the IPv4 address it is.
 */
import net from "node:net";
import type { ApiContext } from "./router.ts";

/** The limiter's key for a request ("unknown" once the socket is gone). */
export function clientAddress(c: ApiContext): string {
  return addressKey(c.req.raw.socket.remoteAddress ?? "unknown");
}

/**
 * @example addressKey("127.0.0.9") === "loopback"; addressKey("2001:db8:1:2::7") === "2001:db8:1:2::/64"
 */
export function addressKey(raw: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw);
  const address = mapped ? mapped[1]! : raw.split("%")[0]!;
  if (net.isIPv4(address)) return address.startsWith("127.") ? "loopback" : address;
  if (!net.isIPv6(address)) return raw;
  const groups = ipv6Groups(address);
  if (!groups) return raw;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return "loopback";
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const words = (s: string | undefined) => (s ? s.split(":") : []);
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill("0"), ...tail];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16)) : undefined;
}
