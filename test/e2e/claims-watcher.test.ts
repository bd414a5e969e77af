/**
 * The claims watcher on the real daemon: AI workers append claims to a real JSON-lines file; each is
 * verified once and audited naming its worker, a FALSE one reaches a webhook receiver on 127.0.0.1.
 * Then the agent is restarted (SIGTERM, then kill -9 while claims are being verified), the file is
 * rotated and truncated, and every claim is still verified exactly once.
 *
 * One agent folder for the whole file (not tempDir's, which goes after each test): the store in it
 * holds the watcher's position from one start to the next.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { closeReceivers, receiver, type Hit } from "../helpers/receiver.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-claims-e2e-"));
const out = path.join(dir, "out");
const claimsFile = path.join(dir, "wingman", "claims_audit.jsonl");
let hook: { hits: Hit[]; url: string };
let slow: { hits: string[]; url: string };
let agent: RunningAgent | undefined;

interface Verified {
  seq: number;
  actor: string;
  payload: { verdict: string; claim: string; by: string; source: string };
}

const config = (file = claimsFile) => `agent: { listen: "127.0.0.1:0" }
governance:
  verify: { paths: [${out}] }
  claims: { file: ${file}, field: claim, by: worker }
notify:
  channels: { hook: { webhook: { url: "${hook.url}/vigil" } } }
  routes: [{ to: [hook] }]
`;

interface Told {
  kind: string;
  title: string;
  text: string;
}
/** Every fact the webhook was told: a grouped message tells several. */
const tellings = () =>
  hook.hits.flatMap((h) => {
    const body = JSON.parse(h.body) as Told & { items?: Told[] };
    return body.items ?? [body];
  });

const start = async () => (agent = await startAgent(config(), { dir }));

/** Every audit entry of a type, paging from the first. */
async function audited<T>(type: string): Promise<T[]> {
  const found: T[] = [];
  for (let after = 0; ;) {
    const page = (await (await api(agent!, `/api/audit?after=${after}&limit=1000`)).json()) as {
      events: (T & { type: string; seq: number })[];
      next_after: number | null;
    };
    found.push(...page.events.filter((e) => e.type === type));
    if (page.next_after === null) return found;
    after = page.next_after;
  }
}
const verified = () => audited<Verified>("claim.verified");

const append = (...claims: [string, string][]) =>
  fs.appendFileSync(
    claimsFile,
    claims.map(([claim, worker]) => JSON.stringify({ claim, worker }) + "\n").join(""),
  );

/** Waits until each claim text has been verified, then checks none was verified twice. */
async function verifiedOnce(claims: string[]): Promise<Verified[]> {
  const all = await until(`${claims.length} claims verified`, async () => {
    const v = await verified();
    return claims.every((c) => v.some((e) => e.payload.claim === c)) ? v : undefined;
  });
  const texts = all.map((e) => e.payload.claim);
  expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
  return all;
}

beforeAll(async () => {
  fs.mkdirSync(out, { recursive: true });
  fs.mkdirSync(path.dirname(claimsFile), { recursive: true });
  fs.writeFileSync(path.join(out, "report.txt"), "done\n");
  hook = await receiver();
  slow = await slowServer(150);
  // Written before the first start: history, not news.
  append([`File ${out}/old.txt exists`, "wingman-0"]);
  await start();
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await closeReceivers();
  await closeSlow?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the claims watcher", () => {
  it("verifies each new claim naming its worker and notifies a FALSE one; old lines are not replayed", async () => {
    append([`File ${out}/report.txt exists`, "wingman-1"], [`File ${out}/missing.txt exists`, "wingman-2"]);
    const all = await verifiedOnce([`File ${out}/report.txt exists`, `File ${out}/missing.txt exists`]);
    const byClaim = new Map(all.map((e) => [e.payload.claim, e.payload]));
    expect(byClaim.get(`File ${out}/report.txt exists`)).toMatchObject({
      verdict: "TRUE",
      by: "wingman-1",
      source: "watcher",
    });
    expect(byClaim.get(`File ${out}/missing.txt exists`)).toMatchObject({
      verdict: "FALSE",
      by: "wingman-2",
      source: "watcher",
    });
    expect(byClaim.has(`File ${out}/old.txt exists`)).toBe(false);
    const told = await until("the FALSE claim notified", async () =>
      tellings().find((t) => t.kind === "claim.false" && t.text.includes("missing.txt")),
    );
    expect(`${told.title} ${told.text}`).toContain("wingman-2");
    expect(tellings().some((t) => t.text.includes("report.txt"))).toBe(false);
  });

  it("skips a malformed line with an audited warning and verifies the next", async () => {
    fs.appendFileSync(claimsFile, "this is not JSON\n");
    append([`File ${out}/report.txt exists and contains "done"`, "wingman-1"]);
    await verifiedOnce([`File ${out}/report.txt exists and contains "done"`]);
    const skipped = await audited<{ payload: { file: string; offset: number; reason: string } }>(
      "claims.line_skipped",
    );
    expect(skipped.map((s) => s.payload)).toEqual([
      expect.objectContaining({ file: claimsFile, reason: "not JSON" }),
    ]);
  });

  it("verifies claims written while it was stopped, once, after a clean restart", async () => {
    await agent!.stop("SIGTERM");
    append([`File ${out}/while-down.txt exists`, "wingman-3"]);
    await start();
    const all = await verifiedOnce([`File ${out}/while-down.txt exists`]);
    expect(all.find((e) => e.payload.claim.includes("while-down"))?.payload.by).toBe("wingman-3");
  });

  it("loses none and repeats none when killed with -9 while verifying", async () => {
    // Each answers after 150 ms, so the kill lands with claims read and not yet verified.
    const claims = Array.from({ length: 30 }, (_, i) => `${slow.url}/slow/${i} returns 200`);
    append(...claims.map((c): [string, string] => [c, "wingman-4"]));
    await until("the first of the batch verified", async () =>
      (await verified()).some((e) => e.payload.claim === claims[0]) ? true : undefined,
    );
    await agent!.stop("SIGKILL");
    // The kill landed in the middle of the batch, not after it.
    expect(slow.hits.length).toBeLessThan(claims.length);
    await start();
    const all = await verifiedOnce(claims);
    expect(
      all.filter((e) => claims.includes(e.payload.claim)).every((e) => e.payload.verdict === "TRUE"),
    ).toBe(true);
  });

  it("finishes a rotated file, then follows the new one from its start", async () => {
    append([`File ${out}/before-rotation.txt exists`, "wingman-5"]);
    fs.renameSync(claimsFile, `${claimsFile}.1`);
    append([`File ${out}/after-rotation.txt exists`, "wingman-5"]);
    await verifiedOnce([`File ${out}/before-rotation.txt exists`, `File ${out}/after-rotation.txt exists`]);
  });

  it("reads a truncated file again from its start", async () => {
    await verifiedOnce([`File ${out}/after-rotation.txt exists`]);
    fs.truncateSync(claimsFile, 0);
    append([`File ${out}/after-truncation.txt exists`, "wingman-6"]);
    await verifiedOnce([`File ${out}/after-truncation.txt exists`]);
  });

  it("rotated while the agent was down: the rest of the old file, then the new one", async () => {
    await agent!.stop("SIGTERM");
    append([`File ${out}/old-file-tail.txt exists`, "wingman-7"]);
    fs.renameSync(claimsFile, `${claimsFile}.2`);
    append([`File ${out}/new-file-head.txt exists`, "wingman-7"]);
    await start();
    await verifiedOnce([`File ${out}/old-file-tail.txt exists`, `File ${out}/new-file-head.txt exists`]);
  });

  it("follows the new file after a reload that changes governance.claims", async () => {
    const next = path.join(dir, "wingman", "next.jsonl");
    fs.writeFileSync(agent!.configFile, config(next));
    const res = await api(agent!, "/api/reload", { method: "POST" });
    expect(res.status).toBe(200);
    fs.appendFileSync(
      next,
      JSON.stringify({ claim: `File ${out}/via-next.txt exists`, worker: "wingman-8" }) + "\n",
    );
    append([`File ${out}/old-setting.txt exists`, "wingman-8"]);
    await verifiedOnce([`File ${out}/via-next.txt exists`]);
    expect((await verified()).some((e) => e.payload.claim.includes("old-setting"))).toBe(false);
  });
});

let closeSlow: (() => Promise<void>) | undefined;

/** Answers 200 to every request after `ms`: claims about it take that long to verify. */
async function slowServer(ms: number): Promise<{ hits: string[]; url: string }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    setTimeout(() => res.end("ok"), ms);
  });
  closeSlow = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { hits, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}` };
}
