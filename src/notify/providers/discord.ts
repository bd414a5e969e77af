/**
 * `discord`: a channel webhook, one embed per notification. `allowed_mentions: {parse: []}` because
 * the text comes from failing services: a log line holding `@everyone` must never ping anybody.
 */
import { clip, postJson } from "../post.ts";
import { fit, messageParts, partsText } from "../context.ts";
import { anchorLine, defineProvider, type Outgoing } from "../provider.ts";

const red = 0xd32f2f;
const green = 0x2e7d32;
const amber = 0xffa000;
const urgent = new Set(["incident.opened", "incident.escalated", "incident.storm"]);

export function discordColor(kind: string): number {
  return urgent.has(kind) ? red : kind === "incident.resolved" ? green : amber;
}

/**
 * The webhook body. Discord's limits: title 256, description 4096, footer 2048, and 6000 for the
 * whole embed, which a 256-character footer keeps clear of.
 */
export function discordPayload(m: Outgoing["message"]): object {
  const footer = [m.target, m.kind, m.incident_id, anchorLine(m)].filter((t) => t).join(" · ");
  const description = partsText(fit(messageParts(m), 4096, (p) => partsText(p).length));
  return {
    embeds: [
      {
        title: clip(m.title.trim() || m.kind, 256),
        // Discord refuses an empty description; an embed without one is fine.
        ...(description !== "" ? { description } : {}),
        color: discordColor(m.kind),
        timestamp: new Date(m.at).toISOString(),
        footer: { text: clip(footer, 256) },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export default defineProvider({
  type: "discord",
  description: "A webhook embed, with mentions disabled so a service's output can never ping `@everyone`.",
  schema: ({ z }) => z.strictObject({ webhook_url: z.url({ protocol: /^https?$/ }) }),
  example: { webhook_url: "https://discord.com/api/webhooks/123/XXXXXXXX" },
  // The webhook URL is the credential: whoever has it can post to the channel.
  secrets: ["webhook_url"],
  doctor: (cfg) => ({ reach: { url: cfg.webhook_url, field: "webhook_url" } }),
  async deliver(cfg, n, opts) {
    return postJson(
      cfg.webhook_url,
      { "user-agent": "vigil" },
      JSON.stringify(discordPayload(n.message)),
      opts.timeoutMs,
    );
  },
});
