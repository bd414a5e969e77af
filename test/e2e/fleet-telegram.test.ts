/**
 * One Telegram poller for a fleet: two real agents on one PostgreSQL schema share a bot token; one
 * polls (the local Bot API server sees no second poller, which Telegram would refuse with 409), a
 * command is answered once, and when the poller is killed the other agent takes over.
 */
import { afterAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import { BotApiServer } from "../helpers/bot-api.ts";
import { until } from "../helpers/poll.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const token = "654321:FLEET-token_xyz";
const chat = -1002;
const alice = { id: 111, first_name: "Alice" };
const schema = testSchema("vigil_fleet_tg");
const agents: RunningAgent[] = [];
const tg = new BotApiServer(token);

await pgAdmin(`CREATE SCHEMA ${schema.name}`);
await tg.listen();

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop("SIGTERM")));
  await tg.close();
  await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
});

/** Each agent has a check named after it, so a /status reply tells which agent answered. */
const yaml = (
  name: string,
) => `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
checks:
  ${name}-check: { command: { run: ["true"] }, every: 5s }
notify:
  channels:
    tg: { telegram: { bot_token: "${token}", chat_id: "${chat}", approvers: [${alice.id}], api_root: "${tg.url}/" } }
  routes: [{ to: [tg] }]
`;

const replies = () => tg.sent().filter((c) => /-check: /.test(String(c.body.text)));

describe("one Telegram poller for a fleet", () => {
  it("polls from one agent, answers once, and moves to the other when that one dies", async () => {
    agents.push(await startAgent(yaml("ta"), { timeoutMs: 30_000 }));
    agents.push(await startAgent(yaml("tb"), { timeoutMs: 30_000 }));

    tg.type(chat, alice, "/status");
    await until("a /status reply", async () => (replies().length >= 1 ? true : undefined));
    const first = String(replies()[0]!.body.text);
    const leader = /ta-check/.test(first) ? 0 : 1;
    // Each agent decided at its start whether it polls: exactly one does.
    const polls = agents.map((a) => a.output().includes("telegram: this agent polls for the fleet"));
    expect(polls).toEqual(leader === 0 ? [true, false] : [false, true]);
    // The poller answers from its own targets.
    expect(first).not.toMatch(leader === 0 ? /tb-check/ : /ta-check/);

    // Both agents run a few lease periods: one poller, so Telegram never says "Conflict".
    tg.type(chat, alice, "/status");
    await until("the second reply", async () => (replies().length >= 2 ? true : undefined));
    expect(replies()).toHaveLength(2);
    expect(tg.conflicts).toBe(0);

    // The poller is killed: once its 1 s lease lapses the other agent polls and answers.
    await agents[leader]!.stop("SIGKILL");
    tg.type(chat, alice, "/status");
    await until(
      "a reply from the other agent",
      async () => (replies().length >= 3 ? true : undefined),
      30_000,
    );
    expect(String(replies()[2]!.body.text)).toMatch(leader === 0 ? /tb-check/ : /ta-check/);
    expect(replies()).toHaveLength(3);
  }, 90_000);
});
