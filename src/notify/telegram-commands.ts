/**
 * What the Telegram bot answers: /status, /pending, /approve, /reject, /pause, /resume and the
 * Approve / Reject buttons. Only the configured chat is answered; only user ids listed in
 * `approvers` may decide, pause or resume. A decision is recorded as `telegram:<user id>`, so it is
 * audited as that person and two approvals need two different people. Anyone else gets a polite
 * refusal, audited as `telegram.refused`, and nothing runs.
 */
import { Composer, type Context } from "grammy";
import type { ApprovalView } from "../approvals/approvals.ts";
import { VigilError } from "../core/errors.ts";
import type { EventBus } from "../core/events.ts";
import type { TargetView } from "../targets/targets.ts";
import { decidedCard } from "./telegram-card.ts";

/** A person deciding through Telegram, as the approval queue and the kill switch see them. */
export interface TelegramPerson {
  name: string;
  role: "operator";
}

export interface CommandDeps {
  bus: EventBus;
  now: () => number;
  targets: () => TargetView[];
  paused: () => boolean;
  approvals: {
    list(status: "pending", limit: number): Promise<ApprovalView[]>;
    decide(
      id: string,
      by: TelegramPerson,
      decision: "approve" | "reject",
      note: string,
    ): Promise<ApprovalView>;
  };
  pause(by: TelegramPerson, reason: string): Promise<unknown>;
  resume(by: TelegramPerson, reason: string): Promise<unknown>;
}

/**
 * Who may talk to the bot right now: chat id → the user ids that may decide there. Asked on every
 * update, so an approver taken out of the config by a reload is refused from that moment.
 */
export type Allowed = () => ReadonlyMap<string, ReadonlySet<number>>;

const maxListed = 40;
const help = [
  "/status: every target and its state",
  "/pending: approval requests waiting for a person",
  "/approve <id> [note], /reject <id> [note]: decide one (an id prefix of 6+ characters will do)",
  "/pause [reason], /resume: the kill switch",
].join("\n");

export function commands(d: CommandDeps, allowed: Allowed): Composer<Context> {
  const bot = new Composer<Context>();

  // Nothing past this point runs for a chat other than the configured one.
  bot.use(async (ctx, next) => {
    const chat = ctx.chat?.id;
    if (chat !== undefined && allowed().has(String(chat))) return next();
    await refuse(d, ctx, "this chat is not one Vigil reports to");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "Not from this chat.", show_alert: true });
    else if (ctx.message) await ctx.reply("Sorry, I only answer in the chat I report to.");
  });

  bot.command(["start", "help"], (ctx) => ctx.reply(`Vigil answers:\n${help}`));

  bot.command("status", async (ctx) => {
    const targets = d.targets();
    const lines = targets.slice(0, maxListed).map((t) => {
      const since = ago(d.now() - t.since);
      return `${mark(t.state)} ${t.name}: ${t.state} for ${since}${t.restarts ? `, ${t.restarts} restarts` : ""}`;
    });
    if (targets.length > maxListed) lines.push(`…and ${targets.length - maxListed} more`);
    const head = d.paused() ? "PAUSED: no automatic action runs (/resume)\n" : "";
    await ctx.reply(`${head}${lines.join("\n") || "No targets are configured."}`);
  });

  bot.command("pending", async (ctx) => {
    const pending = await d.approvals.list("pending", maxListed);
    if (pending.length === 0) return void (await ctx.reply("Nothing waits for approval."));
    await ctx.reply(pending.map((a) => describe(a, d.now())).join("\n\n"));
  });

  for (const decision of ["approve", "reject"] as const) {
    bot.command(decision, async (ctx) => {
      const person = await approver(d, ctx, allowed, `/${decision}`);
      if (!person) return;
      const [idArg = "", ...rest] = ctx.match.trim().split(/\s+/);
      const id = await resolveId(d, idArg);
      if (!id) return void (await ctx.reply(`Which one? /${decision} <id>; /pending lists them.`));
      await ctx.reply(await decide(d, id, person, decision, rest.join(" ") || "via Telegram"));
    });
  }

  bot.callbackQuery(/^(approve|reject):(.{1,60})$/, async (ctx) => {
    const decision = ctx.match[1] as "approve" | "reject";
    const person = await approver(d, ctx, allowed, `button ${decision}`);
    if (!person) return;
    const outcome = await decide(d, ctx.match[2]!, person, decision, "via Telegram button");
    await ctx.answerCallbackQuery({ text: outcome.slice(0, 190) });
    const shown = ctx.callbackQuery.message;
    // The buttons go; the message keeps what it asked, formatted as it was, and gains who decided.
    const card = decidedCard(shown && "text" in shown ? shown : undefined, outcome);
    await ctx.editMessageText(card.text, {
      entities: card.entities,
      link_preview_options: { is_disabled: true },
    });
  });

  bot.command("pause", async (ctx) => {
    const person = await approver(d, ctx, allowed, "/pause");
    if (!person) return;
    await d.pause(person, ctx.match.trim() || "paused from Telegram");
    await ctx.reply("Paused: no automatic action runs until /resume.");
  });

  bot.command("resume", async (ctx) => {
    const person = await approver(d, ctx, allowed, "/resume");
    if (!person) return;
    await d.resume(person, ctx.match.trim() || "resumed from Telegram");
    await ctx.reply("Resumed: automatic actions run again.");
  });

  return bot;
}

/** The sender as a deciding person, or undefined after a polite refusal. */
async function approver(
  d: CommandDeps,
  ctx: Context,
  allowed: Allowed,
  what: string,
): Promise<TelegramPerson | undefined> {
  const user = ctx.from?.id;
  if (user !== undefined && allowed().get(String(ctx.chat?.id))?.has(user)) {
    return { name: `telegram:${user}`, role: "operator" };
  }
  await refuse(d, ctx, `${what} needs a user listed in approvers`);
  const text = `Sorry${ctx.from?.first_name ? `, ${ctx.from.first_name}` : ""}: you are not an approver here, so nothing was done.`;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
  else await ctx.reply(text);
  return undefined;
}

async function refuse(d: CommandDeps, ctx: Context, reason: string): Promise<void> {
  const what = ctx.callbackQuery?.data ?? ctx.message?.text ?? "";
  await d.bus.emit(
    "telegram.refused",
    "telegram",
    {
      user_id: ctx.from?.id ?? null,
      username: ctx.from?.username ?? null,
      chat_id: ctx.chat?.id ?? null,
      command: what.slice(0, 100),
      reason,
    },
    `telegram:${ctx.from?.id ?? "unknown"}`,
  );
}

async function decide(
  d: CommandDeps,
  id: string,
  person: TelegramPerson,
  decision: "approve" | "reject",
  note: string,
): Promise<string> {
  try {
    const a = await d.approvals.decide(id, person, decision, note);
    const who = person.name;
    if (a.status === "approved" && a.run_state === "queued")
      return `Approved by ${who}: ${a.action} is queued on agent ${a.agent}, which runs it.`;
    if (a.status === "approved") return `Approved by ${who}: ${a.action} runs (run ${a.run_id}).`;
    if (a.status === "rejected") return `Rejected by ${who}: ${a.action} will not run.`;
    return `${who} approved; ${a.required - a.decisions.length} more approval(s) needed.`;
  } catch (e) {
    if (e instanceof VigilError) return `Not done: ${e.message}.`;
    throw e;
  }
}

/** A full id, or the one pending request an unambiguous prefix names. */
async function resolveId(d: CommandDeps, arg: string): Promise<string | undefined> {
  if (arg.length < 6) return undefined;
  const matches = (await d.approvals.list("pending", 200)).filter((a) => a.id.startsWith(arg));
  return matches.length === 1 ? matches[0]!.id : arg;
}

function describe(a: ApprovalView, now: number): string {
  const params = Object.entries(a.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return [
    `${a.id}`,
    `${a.action}${a.target ? ` on ${a.target}` : ""}${params ? ` ${params}` : ""}`,
    `asked by ${a.requested_by}: ${a.reason || "(no reason given)"}`,
    `risk ${a.assessment.level}, expires in ${ago(a.expires_at - now)}`,
  ].join("\n");
}

function mark(state: string): string {
  if (state === "up") return "✅";
  if (state === "down" || state === "failed") return "❌";
  return "⚠️";
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}
