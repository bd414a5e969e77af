/**
 * The shared outbox with three real agents on one PostgreSQL: a storm of incidents while the
 * webhook receiver is down, one agent killed in the middle; when the receiver returns every
 * notification arrives, and each arrives once (the killed agent's sends had all failed).
 */
import http from "node:http";
import type net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const schema = testSchema("vigil_fleet_outbox");
const agents: RunningAgent[] = [];
let server: http.Server | undefined;

await pgAdmin(`CREATE SCHEMA ${schema.name}`);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

/** Answers 503 while down; records each delivery it accepted by its Idempotency-Key. */
async function flakyReceiver() {
  const state = { down: true, attempts: 0, accepted: [] as string[] };
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      state.attempts++;
      if (state.down) return void res.writeHead(503).end("down");
      state.accepted.push(String(req.headers["idempotency-key"]));
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { state, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook` };
}

const yaml = (name: string, url: string) => {
  const checks = Array.from(
    { length: 10 },
    (_, i) => `  ${name}-c${i}: { command: { run: ["false"] }, every: 1s, fail_after: 1 }`,
  ).join("\n");
  return `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
notify:
  channels: { hook: { webhook: { url: "${url}" } } }
  routes: [{ to: [hook] }]
  group_wait: 0ms
checks:
${checks}
`;
};

const outboxCount = async (where: string) =>
  Number((await pgAdmin(`SELECT count(*)::int AS n FROM ${schema.name}.outbox WHERE ${where}`)).rows[0]!.n);

describe("a fleet's shared outbox", () => {
  it("delivers a storm once through an outage and a kill -9 of one agent", async () => {
    const rx = await flakyReceiver();
    for (const name of ["fa", "fb", "fc"])
      agents.push(await startAgent(yaml(name, rx.url), { timeoutMs: 30_000 }));
    // Every agent's incidents are queued and failing against the receiver.
    await until(
      "30 notifications queued and tried",
      async () => ((await outboxCount("attempts > 0")) >= 30 ? true : undefined),
      60_000,
    );
    await agents[1]!.stop("SIGKILL");
    rx.state.down = false;
    // The killed agent's claims are taken over once its 1 s lease lapses: nothing stays behind.
    await until(
      "every notification sent",
      async () => ((await outboxCount("status NOT IN ('sent', 'merged')")) === 0 ? true : undefined),
      90_000,
    );
    const sent = await outboxCount("status = 'sent'");
    expect(sent).toBeGreaterThanOrEqual(30);
    expect(new Set(rx.state.accepted).size).toBe(sent);
    // Once each: a second delivery could come only from a send in flight at the kill, and those failed.
    expect(rx.state.accepted.length).toBe(sent);
    // Every agent's incidents were told, the killed one's too.
    const targets = await pgAdmin(
      `SELECT count(DISTINCT target)::int AS n FROM ${schema.name}.outbox WHERE target LIKE 'fb-%' AND status = 'sent'`,
    );
    expect(targets.rows[0]!.n).toBeGreaterThan(0);
  }, 180_000);
});
