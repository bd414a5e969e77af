/**
 * Shared checks on a fleet, with three real agents on one PostgreSQL schema and 300 HTTP checks
 * against one local server that logs every hit with the agent that made it (the http probe names
 * its agent in the User-Agent). The checks spread within ±20 %, each run by one agent; a kill -9
 * moves only the dead agent's checks, within two lease periods; an agent whose database connection
 * is cut (through a proxy the test controls) steps back by its own lease while the others take its
 * checks; and no check runs on two agents at once for longer than a lease.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testPgUrl, testSchema } from "../helpers/postgres.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";

const leaseMs = 2_000;
const everyMs = 2_000;
const checks = Array.from({ length: 300 }, (_, i) => `c-${String(i).padStart(3, "0")}`);
const schema = testSchema("vigil_shared");
const agents = new Map<string, RunningAgent>();

interface Hit {
  check: string;
  agent: string;
  t: number;
}
const hits: Hit[] = [];
const server = http.createServer((req, res) => {
  const check = /^\/c\/(c-\d{3})$/.exec(req.url ?? "")?.[1];
  const agent = /\(agent ([^)]+)\)/.exec(req.headers["user-agent"] ?? "")?.[1];
  if (check && agent) hits.push({ check, agent, t: Date.now() });
  res.end("ok");
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;
const pg = new URL(testPgUrl);
const proxy = new TcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
const proxyPort = await proxy.listen();

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all([...agents.values()].map((a) => a.stop("SIGTERM")));
  await proxy.close();
  await new Promise((r) => server.close(r));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 120_000);

const yaml = (name: string, store: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${store}", lease: ${leaseMs}ms }\nchecks:\n` +
  checks
    .map((c) => `  ${c}: { http: { url: "http://127.0.0.1:${port}/c/${c}" }, every: ${everyMs}ms }\n`)
    .join("");

async function start(name: string, base = testPgUrl): Promise<void> {
  agents.set(name, await startAgent(yaml(name, schema.url(base)), { timeoutMs: 90_000 }));
}

/** Who ran each check in the last `ms` (each runs every 2 s: 3 s see each at least once). */
function runners(ms = 1.5 * everyMs): Map<string, Set<string>> {
  const since = Date.now() - ms;
  const by = new Map<string, Set<string>>();
  for (const h of hits)
    if (h.t >= since) (by.get(h.check) ?? by.set(h.check, new Set()).get(h.check)!).add(h.agent);
  return by;
}

/** Each check's one runner, once every check has exactly one among `expected` agents; else undefined. */
function settled(expected: readonly string[]): Map<string, string> | undefined {
  const by = runners();
  const owner = new Map<string, string>();
  for (const c of checks) {
    const r = [...(by.get(c) ?? [])];
    if (r.length !== 1 || !expected.includes(r[0]!)) return undefined;
    owner.set(c, r[0]!);
  }
  return owner;
}

const countBy = (owner: Map<string, string>) =>
  [...owner.values()].reduce((m, a) => m.set(a, (m.get(a) ?? 0) + 1), new Map<string, number>());

/** How long after `from` every one of `moved` was first run by an agent other than `gone`; undefined until then. */
function takenOver(moved: readonly string[], gone: string, from: number): number | undefined {
  let latest = from;
  for (const c of moved) {
    const first = hits.find((h) => h.check === c && h.agent !== gone && h.t > from);
    if (!first) return undefined;
    latest = Math.max(latest, first.t);
  }
  return latest - from;
}

/** The longest time two agents both ran one check: spans of each agent's hits (a gap over 2.5 intervals splits one), intersected. */
function longestOverlap(): { ms: number; check: string; at: number; agents: string } {
  const spans = new Map<string, { agent: string; from: number; to: number }[]>();
  for (const h of hits) {
    const list = spans.get(h.check) ?? spans.set(h.check, []).get(h.check)!;
    const open = list.findLast((s) => s.agent === h.agent);
    if (open && h.t - open.to <= 2.5 * everyMs) open.to = h.t;
    else list.push({ agent: h.agent, from: h.t, to: h.t });
  }
  let worst = { ms: 0, check: "", at: 0, agents: "" };
  for (const [check, list] of spans)
    for (const a of list)
      for (const b of list) {
        if (a.agent >= b.agent) continue;
        const ms = Math.min(a.to, b.to) - Math.max(a.from, b.from);
        if (ms > worst.ms)
          worst = { ms, check, at: Math.max(a.from, b.from), agents: `${a.agent}+${b.agent}` };
      }
  return worst;
}

describe("shared checks on a fleet of three agents", () => {
  it("spread, move when an agent dies or is cut off, and never run twice for longer than a lease", async () => {
    const t0 = Date.now();
    const marks: Record<string, number> = {};
    await start("s1");
    marks.s2 = Date.now() - t0;
    await start("s2");
    marks.s3 = Date.now() - t0;
    await start("s3", `postgres://${pg.username}@127.0.0.1:${proxyPort}${pg.pathname}`);

    const owner = await until(
      "300 checks spread over s1, s2, s3",
      async () => settled(["s1", "s2", "s3"]),
      60_000,
    );
    const counts = countBy(owner);
    console.log("shared checks per agent:", Object.fromEntries(counts));
    for (const a of ["s1", "s2", "s3"]) {
      expect(counts.get(a)).toBeGreaterThanOrEqual(80);
      expect(counts.get(a)).toBeLessThanOrEqual(120);
    }
    // One row per check, naming the agent that runs it.
    const rows = (await pgAdmin(`SELECT name, agent FROM ${schema.name}.targets`)).rows as unknown as {
      name: string;
      agent: string;
    }[];
    expect(rows.length).toBe(300);
    expect(rows.filter((r) => owner.get(r.name) !== r.agent)).toEqual([]);

    // kill -9: s1's checks run again on s2 and s3 within two lease periods; nothing else moves.
    const killedAt = Date.now();
    marks.kill = killedAt - t0;
    await agents.get("s1")!.stop("SIGKILL");
    const ofS1 = checks.filter((c) => owner.get(c) === "s1");
    const takeover = await until(
      "s1's checks run again",
      async () => takenOver(ofS1, "s1", killedAt),
      20_000,
    );
    console.log(`takeover after kill -9: ${takeover} ms for ${ofS1.length} checks (lease ${leaseMs} ms)`);
    expect(takeover).toBeLessThanOrEqual(2 * leaseMs);
    const after = await until("checks settled on s2 and s3", async () => settled(["s2", "s3"]), 20_000);
    expect(checks.filter((c) => owner.get(c) !== "s1" && after.get(c) !== owner.get(c))).toEqual([]);

    // A partition: s3's connection to PostgreSQL is cut. It steps back by its own lease; s2 takes all.
    const ofS3 = checks.filter((c) => after.get(c) === "s3");
    const cutAt = Date.now();
    proxy.cut();
    marks.cut = cutAt - t0;
    const moved = await until("s3's checks run on s2", async () => takenOver(ofS3, "s3", cutAt), 20_000);
    console.log(`takeover after the partition: ${moved} ms for ${ofS3.length} checks`);
    expect(moved).toBeLessThanOrEqual(2 * leaseMs);
    await until("two leases after the cut, s2 runs all", async () =>
      Date.now() > cutAt + 2 * leaseMs ? settled(["s2"]) : undefined,
    );
    const lastOfS3 = Math.max(...hits.filter((h) => h.agent === "s3").map((h) => h.t));
    console.log(`s3 ran its last check ${lastOfS3 - cutAt} ms after the cut`);
    expect(lastOfS3 - cutAt).toBeLessThan(leaseMs * 1.25);

    // The partition heals: s3 renews and takes its share back. Not before its pause is longer than
    // what joins two hits into one span (longestOverlap), or the pause would count as running.
    await until("s3's pause outlasts a span's gap", async () =>
      Date.now() > lastOfS3 + 3 * everyMs ? true : undefined,
    );
    proxy.heal();
    marks.heal = Date.now() - t0;
    await until(
      "s3 runs its share again",
      async () => {
        const healed = settled(["s2", "s3"]);
        return healed && (countBy(healed).get("s3") ?? 0) >= 100 ? true : undefined;
      },
      30_000,
    );

    const overlap = longestOverlap();
    const when = overlap.ms > 0 ? `, ${overlap.check} on ${overlap.agents} at ${overlap.at - t0} ms` : "";
    console.log(`longest time two agents ran one check: ${overlap.ms} ms${when}`, marks);
    expect(overlap.ms).toBeLessThan(leaseMs);
  }, 180_000);
});
