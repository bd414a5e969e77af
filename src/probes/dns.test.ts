/**
 * The dns probe against a real DNS server on 127.0.0.1: a small UDP responder written here from
 * RFC 1035 (not from the probe's code), with a zone that answers every record type, each response
 * code, and one name it never answers.
 */
import dgram from "node:dgram";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAll, parseCondition } from "../conditions/index.ts";
import { loadConfig, loadConfigText } from "../config/load.ts";
import { formatProblem } from "../config/result.ts";
import { probeEnv, runProbe as run } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { probeOf } from "./index.ts";

const [A, CNAME, MX, TXT, AAAA] = [1, 5, 15, 16, 28];

const ipv4 = (text: string) => Buffer.from(text.split(".").map(Number));
const ipv6 = (groups: number[]) => Buffer.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
const name = (text: string) =>
  Buffer.concat([
    ...text
      .split(".")
      .filter(Boolean)
      .map((l) => Buffer.from([l.length, ...Buffer.from(l)])),
    Buffer.from([0]),
  ]);
const txt = (...strings: string[]) =>
  Buffer.concat(strings.map((s) => Buffer.from([s.length, ...Buffer.from(s)])));
const mx = (preference: number, host: string) =>
  Buffer.concat([Buffer.from([preference >> 8, preference & 0xff]), name(host)]);

type Answer = [type: number, data: Buffer];
/** What the server knows: answers by `name type`, or a response code by name. */
const zone: Record<string, Answer[]> = {
  "a.test A": [
    [A, ipv4("10.0.0.1")],
    [A, ipv4("10.0.0.2")],
  ],
  "v6.test AAAA": [[AAAA, ipv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])]],
  "alias.test CNAME": [[CNAME, name("target.test")]],
  "alias.test A": [
    [CNAME, name("target.test")],
    [A, ipv4("10.0.0.9")],
  ],
  "mail.test MX": [
    [MX, mx(10, "mx1.test")],
    [MX, mx(20, "mx2.test")],
  ],
  "txt.test TXT": [
    [TXT, txt("v=spf1 ", "-all")],
    [TXT, txt("hello")],
  ],
};
const rcodeOf: Record<string, number> = { "nx.test": 3, "fail.test": 2, "refused.test": 5 };
const typeNames: Record<number, string> = {
  [A]: "A",
  [AAAA]: "AAAA",
  [CNAME]: "CNAME",
  [MX]: "MX",
  [TXT]: "TXT",
};

let server: dgram.Socket;
let port: number;
/** Questions the server received, so a test can see the query that was sent. */
const asked: string[] = [];

function answer(query: Buffer): Buffer | undefined {
  const labels: string[] = [];
  let at = 12;
  while (query[at]! > 0) {
    labels.push(query.toString("ascii", at + 1, at + 1 + query[at]!));
    at += 1 + query[at]!;
  }
  const qname = labels.join(".").toLowerCase();
  const qtype = query.readUInt16BE(at + 1);
  const questionEnd = at + 5;
  asked.push(`${qname} ${typeNames[qtype] ?? qtype}`);
  if (qname === "silent.test") return undefined; // never answers
  const records = zone[`${qname} ${typeNames[qtype]}`] ?? [];
  const rcode = rcodeOf[qname] ?? 0;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // the query's id
  header.writeUInt16BE(0x8180 | rcode, 2); // QR, RD, RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const rrs = records.map(([type, data]) => {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0); // the owner: a pointer to the question's name
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...rrs]);
}

beforeAll(async () => {
  server = dgram.createSocket("udp4");
  server.on("message", (msg, from) => {
    const reply = answer(msg);
    if (reply) server.send(reply, from.port, from.address);
  });
  await new Promise<void>((r) => server.bind(0, "127.0.0.1", r));
  port = server.address().port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(r));
});

const ask = (name: string, type: string, opts?: Parameters<typeof run>[2]) =>
  run("dns", { name, type, server: "127.0.0.1", port }, opts);

describe("dns: each record type", () => {
  it("A: every address, one a line, and the first as [IP]", async () => {
    const { outcome } = await ask("a.test", "A");
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({
      DNS_RCODE: "NOERROR",
      BODY: "10.0.0.1\n10.0.0.2",
      IP: "10.0.0.1",
    });
    expect(outcome.values.RESPONSE_TIME).toBeGreaterThanOrEqual(0);
    expect(asked).toContain("a.test A");
  });

  it("AAAA: the address written short, as Go prints it", async () => {
    const { outcome } = await ask("v6.test", "AAAA");
    expect(outcome.values).toMatchObject({ DNS_RCODE: "NOERROR", BODY: "2001:db8::1", IP: "2001:db8::1" });
  });

  it("CNAME: the target with its final dot; an A question through a CNAME reads the address", async () => {
    const cname = await ask("alias.test", "CNAME");
    expect(cname.outcome.values).toMatchObject({ BODY: "target.test.", IP: "" });
    const a = await ask("alias.test.", "A");
    expect(a.outcome.values).toMatchObject({ BODY: "10.0.0.9", IP: "10.0.0.9" });
  });

  it("MX: the hosts, as Gatus reads them (without the preference)", async () => {
    const { outcome } = await ask("mail.test", "MX");
    expect(outcome.values).toMatchObject({ DNS_RCODE: "NOERROR", BODY: "mx1.test.\nmx2.test.", IP: "" });
  });

  it("TXT: a record's strings read as one text, a record a line", async () => {
    const { outcome } = await ask("txt.test", "TXT");
    expect(outcome.values.BODY).toBe("v=spf1 -all\nhello");
  });

  it("a name with no record of the type asked: NOERROR and an empty body", async () => {
    const { outcome } = await ask("a.test", "TXT");
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ DNS_RCODE: "NOERROR", BODY: "", IP: "" });
  });
});

describe("dns: response codes are readings, the conditions judge them", () => {
  it.each([
    ["nx.test", "NXDOMAIN"],
    ["fail.test", "SERVFAIL"],
    ["refused.test", "REFUSED"],
  ])("%s answers %s", async (qname, rcode) => {
    const { outcome } = await ask(qname, "A");
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ DNS_RCODE: rcode, BODY: "", IP: "" });
  });
});

describe("dns: no answer", () => {
  it("a server that never answers is a timeout", async () => {
    const { outcome, ms } = await ask("silent.test", "A", { timeoutMs: 300 });
    expect(outcome.error?.class).toBe("timeout");
    expect(outcome.error?.message).toContain(`127.0.0.1:${port}`);
    expect(outcome.values.DNS_RCODE).toBe("");
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1_500);
  });

  it("an abort stops the query at once, before its timeout", async () => {
    const { outcome, ms } = await ask("silent.test", "A", { timeoutMs: 10_000, abortAfterMs: 50 });
    expect(outcome.error?.class).toBe("timeout");
    expect(ms).toBeLessThan(1_000);
    const found = probeOf({ dns: {} })!;
    const already = await found.probe.run(
      { name: "silent.test", type: "A", server: "127.0.0.1", port } as never,
      { target: "t", timeoutMs: 1_000, signal: AbortSignal.abort(), env: probeEnv },
    );
    expect(already.error?.class).toBe("timeout");
  });

  it("a port where nothing listens refuses the packet", async () => {
    const closed = dgram.createSocket("udp4");
    await new Promise<void>((r) => closed.bind(0, "127.0.0.1", r));
    const free = closed.address().port;
    await new Promise<void>((r) => closed.close(r));
    const { outcome } = await run("dns", { name: "a.test", server: "127.0.0.1", port: free });
    expect(outcome.error?.class).toBe("connection_refused");
  });
});

describe("dns: through the config loader and the conditions", () => {
  const yaml = (check: string) => `checks:\n  resolver:\n${check}`;
  const good = (p: number) =>
    yaml(
      `    dns: { name: alias.test, type: A, server: 127.0.0.1, port: ${p} }\n` +
        `    expect: ["[DNS_RCODE] == NOERROR", "[BODY] == pat(10.0.0.*)", "[IP] == 10.0.0.9"]\n`,
    );

  it("a dns: check loads as config check loads it, and its conditions hold on a real answer", async () => {
    const dir = tempDir();
    const file = path.join(dir, "vigil.yaml");
    fs.writeFileSync(file, good(port));
    const loaded = await loadConfig(file, {});
    if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join("\n"));
    const check = loaded.config.checks.resolver!;
    const found = probeOf(check)!;
    expect(found.type).toBe("dns");
    expect(found.settings).toMatchObject({ name: "alias.test", type: "A", port });
    const outcome = await found.probe.run(found.settings, {
      target: "resolver",
      timeoutMs: 2_000,
      signal: AbortSignal.timeout(2_000),
      env: probeEnv,
    });
    const conditions = check.expect.map((text) => {
      const parsed = parseCondition(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.condition;
    });
    const judged = evaluateAll(conditions, outcome.values);
    expect(judged.results.map((r) => r.explanation)).toEqual([
      "[DNS_RCODE] (NOERROR) == NOERROR",
      "[BODY] (10.0.0.9) == pat(10.0.0.*)",
      "[IP] (10.0.0.9) == 10.0.0.9",
    ]);
    expect(judged.ok).toBe(true);
  });

  it("a failing answer explains itself with what the server said", async () => {
    const { outcome } = await ask("nx.test", "A");
    const parsed = parseCondition("[DNS_RCODE] == NOERROR");
    if (!parsed.ok) throw new Error(parsed.message);
    expect(evaluateAll([parsed.condition], outcome.values).results[0]).toMatchObject({
      ok: false,
      explanation: "[DNS_RCODE] (NXDOMAIN) == NOERROR",
    });
  });

  it("refuses a record type it does not ask for, and a placeholder a dns check does not measure", () => {
    const bad = loadConfigText(
      yaml("    dns: { name: a.test, type: SRV, server: 127.0.0.1 }\n"),
      "/v.yaml",
      {},
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(formatProblem(bad.problems[0]!)).toMatch(
        /checks\.resolver\.dns\.type: "SRV" is not a record type a dns check asks for; write one of A, AAAA, CNAME, MX, TXT$/,
      );
    const status = loadConfigText(
      yaml('    dns: { name: a.test, server: 127.0.0.1 }\n    expect: ["[STATUS] == 200"]\n'),
      "/v.yaml",
      {},
    );
    expect(status.ok).toBe(false);
    if (!status.ok)
      expect(formatProblem(status.problems[0]!)).toMatch(/\[STATUS\] is not something a dns check measures/);
  });
});
