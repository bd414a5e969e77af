/**
 * `ntfy`: the text as a plain body POSTed to `<url>/<topic>`, with Title, Priority and Tags headers.
 * Header values must be ASCII, so a title with "→" or an emoji goes as an RFC 2047 encoded word,
 * which ntfy decodes.
 */
import { post } from "../post.ts";
import { fit, messageParts, partsText } from "../context.ts";
import { anchorLine, defineProvider } from "../provider.ts";

/** ntfy.sh's default message limit in bytes; a longer body would be turned into an attachment. */
const maxBodyBytes = 4096;

const priorities: Record<string, number> = {
  "incident.escalated": 5,
  "incident.storm": 5,
  "approval.requested": 5,
  "incident.opened": 4,
  "incident.resolved": 2,
};

/** Emoji short codes, which ntfy shows in front of the title. */
const tags: Record<string, string> = {
  "incident.opened": "rotating_light",
  "incident.escalated": "rotating_light",
  "incident.storm": "rotating_light",
  "incident.resolved": "white_check_mark",
  "approval.requested": "raising_hand",
};

export const ntfyPriority = (kind: string): number => priorities[kind] ?? 3;
export const ntfyTags = (kind: string): string => tags[kind] ?? "warning";

/** A header-safe value: one line; non-ASCII (or text that looks encoded) as `=?UTF-8?B?...?=`. */
export function encodeHeader(value: string): string {
  const line = value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  if (/^[\x20-\x7e]*$/.test(line) && !line.includes("=?")) return line;
  return `=?UTF-8?B?${Buffer.from(line, "utf8").toString("base64")}?=`;
}

/** At most `max` bytes of UTF-8, cut on a character boundary and marked with "…". */
export function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, "utf8") <= max) return text;
  let out = "";
  let size = Buffer.byteLength("…", "utf8");
  for (const ch of text) {
    size += Buffer.byteLength(ch, "utf8");
    if (size > max) break;
    out += ch;
  }
  return `${out}…`;
}

export default defineProvider({
  type: "ntfy",
  description: "A POST to `<url>/<topic>` with title, priority and tags; `token` for a protected topic.",
  schema: ({ z }) =>
    z.strictObject({
      url: z.url({ protocol: /^https?$/ }).default("https://ntfy.sh"),
      topic: z.string().regex(/^[\w-]{1,64}$/),
      token: z.string().optional(),
    }),
  example: { url: "https://ntfy.sh", topic: "vigil-alerts", token: "tk_secret_access_token" },
  secrets: ["token"],
  doctor: (cfg) => ({ reach: { url: cfg.url, field: "url" } }),
  async deliver(cfg, n, opts) {
    const m = n.message;
    const headers: Record<string, string> = {
      "content-type": "text/plain; charset=utf-8",
      "user-agent": "vigil",
      title: encodeHeader(m.title),
      priority: String(ntfyPriority(m.kind)),
      tags: ntfyTags(m.kind),
    };
    if (cfg.token) headers.authorization = `Bearer ${cfg.token}`;
    // An empty body would make ntfy show "triggered"; the title says more.
    const parts = messageParts(m.text.trim() === "" ? { ...m, text: m.title } : m, anchorLine(m));
    const body = partsText(fit(parts, maxBodyBytes, (p) => Buffer.byteLength(partsText(p))));
    return post(`${cfg.url.replace(/\/+$/, "")}/${cfg.topic}`, headers, body, opts.timeoutMs);
  },
});
