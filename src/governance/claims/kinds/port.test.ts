import { spawn } from "node:child_process";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";

const check = (claim: string) => checkClaim(claim, claimSources(), { timeoutMs: 3_000 });
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function listening(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  closers.push(() => server.close());
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A child node process listening on a free port, with argv[0] `name`; resolves with its port. */
async function childListening(name: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      "const s=require('net').createServer(c=>c.destroy()).listen(0,'127.0.0.1',()=>console.log(s.address().port));setTimeout(()=>{},300000)",
    ],
    {
      argv0: name,
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  closers.push(() => child.kill("SIGKILL"));
  return new Promise((resolve) =>
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
}

describe("port claims, against real sockets", () => {
  it("a listening port is listening, open and in use; once closed it is closed and nothing listens", async () => {
    const { port, close } = await listening();
    for (const c of [
      `Port ${port} is listening`,
      `port ${port} is open`,
      `127.0.0.1:${port} is accepting connections`,
      `something is listening on port ${port}`,
    ])
      expect((await check(c)).verdict, c).toBe("TRUE");
    expect((await check(`port ${port} is closed`)).verdict).toBe("FALSE");
    await close();
    for (const c of [
      `port ${port} is closed`,
      `nothing listens on port ${port}`,
      `port ${port} is not listening`,
    ])
      expect((await check(c)).verdict, c).toBe("TRUE");
    const v = await check(`Port ${port} is listening`);
    expect(v.verdict).toBe("FALSE");
    expect(v.checks[0]).toMatchObject({
      what: `port 127.0.0.1:${port}`,
      expected: "listening",
      observed: "connection refused",
    });
  });

  it("reads a listener's address written as a URL, and only a bare host and port", async () => {
    const { port, close } = await listening();
    const v = await check(`The app is listening on http://127.0.0.1:${port}`);
    expect(v.verdict).toBe("TRUE");
    expect(v.checks[0]).toMatchObject({ what: `port 127.0.0.1:${port}`, expected: "listening" });
    expect((await check(`the server is listening on http://localhost:${port}/`)).verdict).toBe("TRUE");
    expect((await check(`The app is listening on http://10.255.0.1:${port}`)).verdict).toBe("UNVERIFIABLE");
    // A path after the port is a request, not an address: not read as a listener.
    expect((await check(`The app is listening on http://127.0.0.1:${port}/health`)).verdict).toBe(
      "UNVERIFIABLE",
    );
    await close();
    expect((await check(`The app is listening on http://127.0.0.1:${port}`)).verdict).toBe("FALSE");
  });

  it("asks only hosts in governance.verify.hosts", async () => {
    const { port } = await listening();
    const v = await check(`port ${port} on 10.255.0.1 is open`);
    expect(v.verdict).toBe("UNVERIFIABLE");
    expect(v.evidence).toContain("10.255.0.1 is not in governance.verify.hosts");
    const localOnly = await checkClaim(`port ${port} is open`, claimSources({ hosts: () => ["localhost"] }), {
      timeoutMs: 2_000,
    });
    expect(localOnly.verdict).toBe("UNVERIFIABLE");
    expect((await check(`localhost:${port} is listening`)).verdict).toBe("TRUE");
  });

  it("'X is listening on N' also checks that X holds the port", async () => {
    const port = await childListening("vclaim-listener");
    expect((await check(`vclaim-listener is listening on ${port}`)).verdict).toBe("TRUE");
    const other = await check(`vclaim-other is listening on port ${port}`);
    expect(other.verdict).toBe("FALSE");
    expect(other.checks.find((c) => c.what === `the listener on port ${port}`)).toMatchObject({
      ok: false,
      expected: "vclaim-other",
    });
    expect((await check(`I've started vclaim-listener and it's listening on ${port}`)).verdict).toBe("TRUE");
    expect((await check(`Port ${port} is in use by vclaim-listener`)).verdict).toBe("TRUE");
    expect((await check(`I killed the process on port ${port}`)).verdict).toBe("FALSE");
    // "is" is a word of the sentence, never a process: the subject carries over instead.
    const carried = await check(
      `vclaim-listener has been restarted and is accepting connections on port ${port}`,
    );
    expect(carried.verdict).toBe("TRUE");
    expect(carried.checks.map((c) => c.what)).toEqual([
      "process vclaim-listener",
      `port 127.0.0.1:${port}`,
      `the listener on port ${port}`,
    ]);
  });

  it("is not a port for a number that is none", async () => {
    const v = await check("port 70000 is open");
    expect(v.verdict).toBe("UNVERIFIABLE");
    expect(v.evidence).toContain("70000 is no TCP port");
  });
});
