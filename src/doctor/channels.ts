/**
 * Notification channels: is each one's server there? By default nothing is sent: an HTTP channel gets
 * a DNS lookup and a TCP connect to its host, an email channel an SMTP handshake (EHLO, STARTTLS,
 * login: nodemailer's `verify`), a Telegram channel `getMe` and `getChat` (the token and the chat,
 * through the configured api_root). `--send` sends a real test message through each instead, the
 * same one `vigil notify test` sends.
 */
import type { VigilConfig } from "../config/schema.ts";
import { providerOf } from "../notify/providers/index.ts";
import { testChannel } from "../notify/test-message.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem } from "./finding.ts";
import { explainReach, reach, urlHost, urlPort } from "./network.ts";

/** Resolve and connect to the host of one of a channel's URLs; no request is made. */
async function reachUrl(thing: string, url: string, key: string, ctx: DoctorContext): Promise<Finding> {
  const u = new URL(url);
  const host = urlHost(u);
  const port = urlPort(u);
  const r = await reach(host, port, ctx.timeoutMs);
  if (r.ok)
    return ok(
      thing,
      `${host}:${port} accepts connections (${r.ms} ms); nothing sent (--send sends a test message)`,
    );
  const e = explainReach(r, host, port, ctx.timeoutMs, key);
  return problem(thing, e.what, e.fix);
}

async function sendTest(thing: string, name: string, notify: VigilConfig["notify"], ctx: DoctorContext) {
  const r = await testChannel(notify, name, ctx.now());
  if (r.ok) return ok(thing, `sent a test message in ${r.duration_ms} ms`);
  return problem(
    thing,
    r.error ?? "the test message was not delivered",
    r.permanent
      ? "the receiver refused it: fix the channel's settings"
      : "the receiver could not be reached; try again, or check the network",
  );
}

/** One task per channel, in config order. */
export function channelTasks(ctx: DoctorContext): (() => Promise<Finding[]>)[] {
  const notify = ctx.config.notify;
  return Object.entries(notify.channels).map(([name, channel]) => async () => {
    const { type, provider, settings } = providerOf(channel);
    const thing = `channel ${name} (${type})`;
    if (ctx.send) return [await sendTest(thing, name, notify, ctx)];
    const key = `notify.channels.${name}.${type}`;
    const plan = provider.doctor(settings);
    if ("reach" in plan) return [await reachUrl(thing, plan.reach.url, `${key}.${plan.reach.field}`, ctx)];
    const r = await plan.verify(key, ctx.timeoutMs);
    return [r.ok ? ok(thing, r.detail) : problem(thing, r.what, r.fix)];
  });
}
