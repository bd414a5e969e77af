/**
 * Telegram end to end: the real agent, grammY inside it, and a local server that speaks the Bot API
 * over HTTP. An approval request arrives with Approve / Reject buttons; a stranger's press runs
 * nothing, an approver's runs the action and is recorded as that Telegram user; the commands answer
 * only the configured chat; a 429 waits for its retry_after.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { BotApiServer, type Call } from "../helpers/bot-api.ts";
import { renderBody } from "../helpers/bot-html.ts";

const token = "123456:TEST-token_abc";
const chat = -1001;
const alice = { id: 111, first_name: "Alice", username: "alice" };
const mallory = { id: 999, first_name: "Mallory" };

let tg: BotApiServer;
let agent: RunningAgent;
let dir: string;

beforeAll(async () => {
  tg = new BotApiServer(token);
  await tg.listen();
  // The first notification meets a flood limit and must wait the second Telegram asks for.
  tg.failNext("sendMessage", 429, {
    ok: false,
    error_code: 429,
    description: "Too Many Requests: retry after 1",
    parameters: { retry_after: 1 },
  });
  // Lives for the whole file: tempDir's folders go after each test.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-telegram-"));
  agent = await startAgent(yaml([alice.id]), { dir });
});

/** The config, with these user ids as approvers. */
const yaml = (approvers: number[]) => `agent: { listen: "127.0.0.1:0" }
actions:
  announce: { run: [touch, "${dir}/announced-{n}"], params: { n: { type: integer } }, risk: approve }
checks:
  always: { command: { run: ["true"] }, every: 1s }
notify:
  channels:
    tg: { telegram: { bot_token: "${token}", chat_id: "${chat}", approvers: [${approvers.join(", ")}], api_root: "${tg.url}/" } }
  routes: [{ to: [tg] }]
  group_wait: 0ms
`;

afterAll(async () => {
  const exit = await agent?.stop();
  expect(exit).toEqual({ code: 0, signal: null });
  await tg?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function ask(n: number): Promise<{ id: string; message: Call }> {
  const res = await api(agent, "/api/actions/announce/run", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ params: { n: String(n) }, reason: "test" }),
  });
  expect(res.status).toBe(202);
  const { approval_id: id } = (await res.json()) as { approval_id: string };
  const message = await tg.waitFor((c) => c.method === "sendMessage" && String(c.body.text).includes(id));
  return { id, message };
}

const approval = async (id: string) =>
  (await (await api(agent, `/api/approvals/${id}`)).json()) as {
    status: string;
    decisions: { by: string }[];
    run_id: string | null;
  };
const reply = (re: RegExp) => tg.waitFor((c) => c.method === "sendMessage" && re.test(String(c.body.text)));
const answered = (re: RegExp) =>
  tg.waitFor((c) => c.method === "answerCallbackQuery" && re.test(String(c.body.text)));

describe("telegram", () => {
  it("sends an approval request with buttons, after the 429's retry_after", async () => {
    const { id, message } = await ask(1);
    expect(message.body.chat_id).toBe(String(chat));
    expect(message.body.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: "Approve", callback_data: `approve:${id}` },
          { text: "Reject", callback_data: `reject:${id}` },
        ],
      ],
    });
    const limited = tg.calls.find((c) => c.method === "sendMessage:failed")!;
    expect(message.at - limited.at).toBeGreaterThanOrEqual(900);
  });

  it("a stranger's press runs nothing; an approver's runs the action as that Telegram user", async () => {
    const { id, message } = await ask(2);
    tg.press(mallory, message, `approve:${id}`);
    const refusal = await answered(/not an approver/);
    expect(refusal.body.show_alert).toBe(true);
    expect((await approval(id)).status).toBe("pending");
    expect(fs.existsSync(path.join(dir, "announced-2"))).toBe(false);

    tg.press(alice, message, `approve:${id}`);
    await answered(/Approved by telegram:111/);
    await expect.poll(() => fs.existsSync(path.join(dir, "announced-2")), { timeout: 10_000 }).toBe(true);
    expect(await approval(id)).toMatchObject({ status: "approved", decisions: [{ by: "telegram:111" }] });
    const edited = await tg.waitFor((c) => c.method === "editMessageText");
    expect(edited.body.text).toMatch(/Approval needed: announce[\s\S]*Approved by telegram:111/);
    expect(edited.body.reply_markup).toBeUndefined();
    // The chat shows the card as it was, bold title included, with the decision below it.
    const card = renderBody(message.body);
    expect(card.entities).toContainEqual({
      type: "bold",
      offset: 0,
      length: "Approval needed: announce".length,
    });
    const after = tg.shown(edited.body.message_id)!;
    expect(after.text).toBe(
      `${card.text}\n\nApproved by telegram:111: announce runs (run ${(await approval(id)).run_id}).`,
    );
    expect(after.entities).toEqual(card.entities);

    const audit = (await (await api(agent, "/api/audit?limit=1000")).json()) as {
      events: { type: string; actor: string; payload: Record<string, unknown> }[];
    };
    expect(audit.events.find((e) => e.type === "approval.decided")?.actor).toBe("telegram:111");
    const refused = audit.events.find((e) => e.type === "telegram.refused");
    expect(refused?.actor).toBe("telegram:999");
    expect(refused!.payload).toMatchObject({ user_id: 999, command: `approve:${id}` });
  });

  it("/pending lists requests; /reject by a stranger is refused, by an approver (id prefix) rejects", async () => {
    const { id } = await ask(3);
    tg.type(chat, alice, "/pending");
    await reply(new RegExp(`${id}\\nannounce n=3\\nasked by admin`));

    tg.type(chat, mallory, `/reject ${id}`);
    await reply(/Sorry, Mallory: you are not an approver here, so nothing was done/);
    expect((await approval(id)).status).toBe("pending");

    tg.type(chat, alice, `/reject ${id.slice(0, 8)} not today`);
    await reply(/Rejected by telegram:111: announce will not run/);
    expect((await approval(id)).status).toBe("rejected");
    tg.type(chat, alice, `/approve ${id}`);
    await reply(/Not done: the request is already rejected/);
    expect(fs.existsSync(path.join(dir, "announced-3"))).toBe(false);
  });

  it("/status, /pause and /resume; other chats get a polite no", async () => {
    tg.type(chat, mallory, "/status");
    await reply(/✅ always: up for \d+ s/);

    tg.type(chat, mallory, "/pause");
    await reply(/Sorry, Mallory/);
    const health = async () => ((await (await api(agent, "/health")).json()) as { paused: boolean }).paused;
    expect(await health()).toBe(false);

    tg.type(chat, alice, "/pause deploying");
    await reply(/^Paused: no automatic action runs/);
    expect(await health()).toBe(true);
    tg.type(chat, alice, "/status");
    await reply(/^PAUSED/);
    tg.type(chat, alice, "/resume");
    await reply(/^Resumed/);
    expect(await health()).toBe(false);

    tg.type(4242, alice, "/pause");
    const no = await reply(/only answer in the chat I report to/);
    expect(no.body.chat_id).toBe(4242);
    expect(await health()).toBe(false);
  });

  it("an approver taken out of the config by a reload is refused from then on", async () => {
    fs.writeFileSync(agent.configFile, yaml([]));
    const res = await api(agent, "/api/reload", { method: "POST" });
    expect(res.status).toBe(200);
    const before = tg.sent().length;
    tg.type(chat, alice, "/pause");
    await tg.waitFor(
      (c) =>
        c.method === "sendMessage" &&
        tg.sent().indexOf(c) >= before &&
        /Sorry, Alice/.test(String(c.body.text)),
    );
    expect(((await (await api(agent, "/health")).json()) as { paused: boolean }).paused).toBe(false);
  });
});
