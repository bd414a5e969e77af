/**
 * `slack`: an incoming webhook. Block Kit for the message, `text` as the fallback Slack shows in
 * notifications. The text comes from failing services, so it is escaped: unescaped, `<!channel>` in a
 * log line would ping a whole channel.
 */
import { clip, postJson } from "../post.ts";
import { contextParts, fit, type IncidentContext, type Part } from "../context.ts";
import { anchorLine, defineProvider, type Outgoing } from "../provider.ts";

/** Block Kit's limits: a header's plain_text and a section's text. */
const headerMax = 150;
const sectionMax = 3000;
/** A section field's text, and a button's URL. */
const fieldMax = 2000;
const urlMax = 3000;
/** Slack takes 50 blocks; the header and the context take two. */
const maxSections = 48;

/** The three characters Slack parses in mrkdwn; everything else is left as is, as Slack asks. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escaped, then clipped without leaving half an entity such as `&am` before the "…". */
function mrkdwn(text: string, max: number, escape = true): string {
  const escaped = escape ? escapeMrkdwn(text) : text;
  if ([...escaped].length <= max) return escaped;
  return `${clip(escaped, max)
    .slice(0, -1)
    .replace(/&[a-z]*$/, "")}…`;
}

/**
 * The webhook body: `{text, blocks}`. A header, what happened, the incident's context as a section
 * of fields (since, last results, next) and one of what was tried, a button to the incident's page,
 * and a context line. Each section within 3000 characters, cut least important first; 7 blocks at
 * most, well under Block Kit's 50.
 */
export function slackPayload(m: Outgoing["message"]): { text: string; blocks: object[] } {
  // plain_text is not parsed for mentions or links, so the header needs no escaping.
  const title = clip(m.title.trim() || m.kind, headerMax);
  const context = [
    `*kind:* ${m.kind}`,
    m.target ? `*target:* ${m.target}` : undefined,
    m.incident_id ? `*incident:* ${m.incident_id}` : undefined,
    anchorLine(m),
  ].filter((t) => t !== undefined);
  const blocks: object[] = [{ type: "header", text: { type: "plain_text", text: title, emoji: true } }];
  // A message with parts (the daily digest): one section block each, its heading in bold.
  for (const s of (m.sections ?? []).slice(0, maxSections))
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: mrkdwn(`*${s.heading}*\n${s.lines.map((l) => `• ${l}`).join("\n")}`, sectionMax),
      },
    });
  // Slack refuses a section with empty text.
  if (!m.sections && m.text.trim() !== "")
    blocks.push({ type: "section", text: { type: "mrkdwn", text: mrkdwn(m.text, sectionMax) } });
  if (m.context) blocks.push(...contextBlocks(m.context));
  blocks.push({
    type: "context",
    elements: context.map((t) => ({ type: "mrkdwn", text: mrkdwn(t, sectionMax) })),
  });
  return { text: mrkdwn(m.text.trim() ? `${m.title}: ${m.text}` : m.title, sectionMax), blocks };
}

/** A part as mrkdwn: the label bold, its lines under it. */
const partText = (p: Part) => `*${escapeMrkdwn(p.label)}*\n${p.lines.map(escapeMrkdwn).join("\n")}`;

function contextBlocks(c: IncidentContext): object[] {
  const parts = contextParts(c);
  const short = parts.filter((p) => p.label !== "Tried" && !p.href);
  const tried = parts.find((p) => p.label === "Tried");
  const out: object[] = [
    // A field holds at most 2000 characters; these are a line each.
    {
      type: "section",
      fields: short.map((p) => ({ type: "mrkdwn", text: mrkdwn(partText(p), fieldMax, false) })),
    },
  ];
  if (tried) {
    const [kept] = fit([tried], sectionMax, (ps) => ps.map(partText).join("").length);
    if (kept)
      out.push({
        type: "section",
        text: { type: "mrkdwn", text: mrkdwn(partText(kept), sectionMax, false) },
      });
  }
  if (c.url && c.url.length <= urlMax)
    out.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open the incident" }, url: c.url }],
    });
  return out;
}

export default defineProvider({
  type: "slack",
  description:
    "An incoming webhook with Block Kit blocks, the text escaped so a service's output never pings a channel.",
  schema: ({ z }) => z.strictObject({ webhook_url: z.url({ protocol: /^https?$/ }) }),
  example: { webhook_url: "https://hooks.slack.com/services/T000/B000/XXXXXXXX" },
  // The webhook URL is the credential: whoever has it can post to the channel.
  secrets: ["webhook_url"],
  doctor: (cfg) => ({ reach: { url: cfg.webhook_url, field: "webhook_url" } }),
  async deliver(cfg, n, opts) {
    return postJson(
      cfg.webhook_url,
      { "user-agent": "vigil" },
      JSON.stringify(slackPayload(n.message)),
      opts.timeoutMs,
    );
  },
});
