/** The safety rules over whole claims, against real sockets: FALSE wins, then UNVERIFIABLE, TRUE only when all held. */
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkClaim } from "./index.ts";
import { maxParts } from "./split.ts";
import { claimSources } from "../../../test/helpers/claim-sources.ts";

let open = 0;
let closed = 0;
let slow: http.Server;
let slowUrl = "";
const servers: net.Server[] = [];

beforeAll(async () => {
  const listen = async (s: net.Server) => {
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    servers.push(s);
    return (s.address() as net.AddressInfo).port;
  };
  open = await listen(net.createServer((c) => c.destroy()));
  const gone = net.createServer();
  closed = await listen(gone);
  await new Promise<void>((r) => gone.close(() => r()));
  slow = http.createServer(() => undefined); // never answers
  slowUrl = `http://127.0.0.1:${await listen(slow)}/`;
});
afterAll(() => {
  slow.closeAllConnections();
  for (const s of servers) s.close();
});

const check = (claim: string, timeoutMs = 3_000) => checkClaim(claim, claimSources(), { timeoutMs });

describe("the verdict over a claim's parts", () => {
  it("is TRUE only when every part was looked at and held", async () => {
    const v = await check(`port ${open} is open and port ${closed} is closed`);
    expect(v.verdict).toBe("TRUE");
    expect(v.checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it("is FALSE when any part does not hold, whatever the others", async () => {
    const v = await check(`port ${open} is open, port ${closed} is open and the tests pass`);
    expect(v.verdict).toBe("FALSE");
    expect(v.evidence).toBe(`port 127.0.0.1:${closed}: expected listening, observed connection refused`);
  });

  it("is UNVERIFIABLE when a part cannot be mapped, naming it; never TRUE for the rest", async () => {
    const v = await check(`port ${open} is open and the tests pass`);
    expect(v.verdict).toBe("UNVERIFIABLE");
    expect(v.evidence).toBe("no check for 'the tests pass'");
    expect(v.checks).toHaveLength(1);
  });

  it("is UNVERIFIABLE when a part is not answered within the claim's time, promptly", async () => {
    const started = Date.now();
    const v = await check(`port ${open} is open and ${slowUrl} returns 200`, 300);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(v.verdict).toBe("UNVERIFIABLE");
    expect(v.evidence).toMatch(/not answered within 300 ms|time ran out/);
  });

  it("checks no half of a conditional claim", async () => {
    const v = await check(`If nginx is running, port ${closed} is open`);
    expect(v).toMatchObject({ verdict: "UNVERIFIABLE", checks: [] });
    expect(v.evidence).toBe("a claim that starts with 'If' states a condition, not a fact to check");
  });

  it("checks no part of a claim with too many", async () => {
    const claim = Array.from({ length: maxParts + 1 }, () => `port ${open} is open`).join(" and ");
    const v = await check(claim);
    expect(v).toMatchObject({ verdict: "UNVERIFIABLE", checks: [] });
    expect(v.evidence).toBe(
      `the claim has ${maxParts + 1} parts; at most ${maxParts} are checked, so none was`,
    );
  });

  it("ends UNVERIFIABLE when the caller aborts", async () => {
    const v = await checkClaim(`${slowUrl} returns 200`, claimSources(), {
      timeoutMs: 5_000,
      signal: AbortSignal.timeout(100),
    });
    expect(v.verdict).toBe("UNVERIFIABLE");
  });
});
