/**
 * `dns`: asks a DNS server one question over UDP, as Gatus's DNS endpoints do. Provides [DNS_RCODE]
 * (the response code's name: NOERROR, NXDOMAIN, SERVFAIL, REFUSED ...), [BODY] (the answers of the
 * type asked, one a line, each as Gatus prints it: an address, a name with its final dot, an MX's
 * host, a TXT's text), [IP] (the first A or AAAA answer) and [RESPONSE_TIME] (ms).
 *
 * A response code other than NOERROR is a reading, not an error: the conditions judge it. Only a
 * server that does not answer (timeout), refuses the packet (connection_refused) or cannot be found
 * (dns_failure) leaves no reading.
 *
 * Written on node:dgram rather than node:dns's Resolver: the Resolver hides the response code behind
 * error codes (NXDOMAIN is ENOTFOUND, an empty NOERROR is ENODATA, codes past REFUSED have none),
 * retries on timers of its own, and drops the final dot Gatus prints. One hand-made packet gives the
 * real code, makes one exchange as Gatus does, and closing the socket stops it at once.
 */
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import { classifyNetworkError, defineProbe, type ProbeOutcome } from "./probe.ts";

/** The record types a check may ask for, with their numbers (RFC 1035, RFC 3596). */
const recordTypes = { A: 1, AAAA: 28, CNAME: 5, MX: 15, TXT: 16 } as const;
type RecordType = keyof typeof recordTypes;

/** Response codes by number, named as Gatus names them (miekg/dns RcodeToString). */
const rcodes = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
  "DSOTYPENI",
];

/** A domain name: labels of letters, digits, `-` and `_`, at most 63 each and 253 in all. */
const domainName = /^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*\.?$/i;

export default defineProbe({
  type: "dns",
  shared: "default",
  description:
    "Asks a DNS server for a name's A, AAAA, CNAME, MX or TXT records and reads its response code.",
  schema: ({ z, duration, port }) =>
    z.strictObject({
      name: z
        .string()
        .regex(domainName, "a domain name such as api.internal (letters, digits, '-', '_', dots)")
        .describe("The name to ask for."),
      type: z
        .enum(Object.keys(recordTypes) as [RecordType, ...RecordType[]], {
          error: (issue) =>
            `${JSON.stringify(issue.input)} is not a record type a dns check asks for; write one of ${Object.keys(recordTypes).join(", ")}`,
        })
        .default("A")
        .describe("The record type to ask for."),
      server: z.string().min(1).describe("The DNS server to ask: an IP address or a host name."),
      port: port.default(53).describe("The server's UDP port."),
      timeout: duration.optional(),
    }),
  example: { name: "api.internal", type: "A", server: "127.0.0.53" },
  defaultExpect: ["[DNS_RCODE] == NOERROR"],
  provides: ["DNS_RCODE", "BODY", "IP", "RESPONSE_TIME"],
  doctor: () => ({ try: true }),
  run(cfg, ctx) {
    const started = performance.now();
    const at = net.isIPv6(cfg.server) ? `[${cfg.server}]:${cfg.port}` : `${cfg.server}:${cfg.port}`;
    const id = randomInt(0x10000);
    return new Promise<ProbeOutcome>((resolve) => {
      const socket = dgram.createSocket(net.isIPv6(cfg.server) ? "udp6" : "udp4");
      let settled = false;
      const done = (reading?: Reply, error?: ProbeOutcome["error"]) => {
        if (settled) return;
        settled = true;
        ctx.signal.removeEventListener("abort", onAbort);
        socket.close();
        const RESPONSE_TIME = Math.round(performance.now() - started);
        if (!reading) return resolve({ values: { DNS_RCODE: "", BODY: "", IP: "", RESPONSE_TIME }, error });
        const asked = reading.answers.filter((a) => a.type === recordTypes[cfg.type]);
        const address = reading.answers.find((a) => a.type === recordTypes.A || a.type === recordTypes.AAAA);
        const BODY = asked.map((a) => a.data).join("\n");
        resolve({ values: { DNS_RCODE: reading.rcode, BODY, IP: address?.data ?? "", RESPONSE_TIME } });
      };
      const failed = (e: unknown) => {
        const c = classifyNetworkError(e, ctx.signal);
        done(undefined, { class: c.class, message: `DNS server ${at}: ${c.message}` });
      };
      const onAbort = () => failed(ctx.signal.reason ?? new Error("aborted"));
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      socket.on("error", failed);
      socket.on("message", (msg) => {
        let reply: Reply;
        try {
          reply = parseReply(msg);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          return done(undefined, {
            class: "unknown",
            message: `DNS server ${at}: a malformed reply (${why})`,
          });
        }
        if (reply.isResponse && reply.id === id) done(reply);
      });
      // A server's name that does not resolve comes to this callback, not to "error".
      socket.connect(cfg.port, cfg.server, (e?: Error) => {
        if (e) failed(e);
        else if (!settled) socket.send(encodeQuery(id, cfg.name, cfg.type), (err) => err && failed(err));
      });
    });
  },
});

interface Reply {
  id: number;
  isResponse: boolean;
  rcode: string;
  answers: { type: number; data: string }[];
}

/** A standard query with recursion desired: a 12-byte header, then one question. */
function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  const labels = name.replace(/\.$/, "").split(".");
  const question = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, "ascii")])),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4); // one question
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(recordTypes[type], 0);
  tail.writeUInt16BE(1, 2); // class IN
  return Buffer.concat([header, question, tail]);
}

/** The header and the answer section; a read past the end throws (a RangeError from Buffer). */
function parseReply(msg: Buffer): Reply {
  const flags = msg.readUInt16BE(2);
  const code = flags & 0x0f;
  const reply: Reply = {
    id: msg.readUInt16BE(0),
    isResponse: (flags & 0x8000) !== 0,
    rcode: rcodes[code] ?? String(code),
    answers: [],
  };
  let at = 12;
  for (let i = msg.readUInt16BE(4); i > 0; i--) at = readName(msg, at).end + 4;
  for (let i = msg.readUInt16BE(6); i > 0; i--) {
    at = readName(msg, at).end;
    const type = msg.readUInt16BE(at);
    const length = msg.readUInt16BE(at + 8);
    const start = at + 10;
    at = start + length;
    if (at > msg.length) throw new RangeError("an answer runs past the end");
    const data = readData(msg, type, start, length);
    if (data !== undefined) reply.answers.push({ type, data });
  }
  return reply;
}

/** A record's data as Gatus prints it; undefined for a type this probe does not ask for. */
function readData(msg: Buffer, type: number, start: number, length: number): string | undefined {
  const bytes = msg.subarray(start, start + length);
  switch (type) {
    case recordTypes.A:
      return bytes.length === 4 ? bytes.join(".") : undefined;
    case recordTypes.AAAA: {
      if (bytes.length !== 16) return undefined;
      const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
      return new net.SocketAddress({ address: groups.join(":"), family: "ipv6" }).address;
    }
    case recordTypes.CNAME:
      return readName(msg, start).name;
    case recordTypes.MX: // Gatus reads the host, not the preference
      return readName(msg, start + 2).name;
    case recordTypes.TXT: {
      // A record holds one or more strings of up to 255 bytes; they read as one text.
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 1 + bytes[i]!)
        parts.push(bytes.subarray(i + 1, i + 1 + bytes[i]!));
      return Buffer.concat(parts).toString("utf8");
    }
    default:
      return undefined;
  }
}

/** A name at `at`, following compression pointers (RFC 1035 4.1.4), with its final dot. */
function readName(msg: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let end: number | undefined;
  for (let jumps = 0; ;) {
    const length = msg.readUInt8(at);
    if (length === 0) break;
    if ((length & 0xc0) === 0xc0) {
      end ??= at + 2;
      if (++jumps > 32) throw new RangeError("a name that points in a loop");
      at = msg.readUInt16BE(at) & 0x3fff;
      continue;
    }
    if (at + 1 + length > msg.length) throw new RangeError("a name runs past the end");
    labels.push(msg.toString("latin1", at + 1, at + 1 + length));
    at += 1 + length;
  }
  return { name: `${labels.join(".")}.`, end: end ?? at + 1 };
}
