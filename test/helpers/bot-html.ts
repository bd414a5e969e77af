/**
 * Telegram's side of `parse_mode: "HTML"`: the markup becomes plain text plus entities (offsets in
 * UTF-16 units), which is what a chat shows and what a callback query's message carries back. An
 * unknown tag, a stray `<` or an unclosed tag is refused, as Telegram refuses it.
 */

export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

/** A message as Telegram holds it. */
export interface Rendered {
  text: string;
  entities: Entity[];
}

const tagTypes: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  code: "code",
  pre: "pre",
  a: "text_link",
};
const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

export function renderHtml(html: string): Rendered {
  let text = "";
  const entities: Entity[] = [];
  const open: { tag: string; offset: number; url?: string }[] = [];
  for (const [token] of html.matchAll(/<[^>]*>|&[#\w]+;|[^<&]+|[<&]/g)) {
    if (token.startsWith("</")) {
      const tag = token.slice(2, -1).trim().toLowerCase();
      const top = open.pop();
      if (top?.tag !== tag) throw new Error(`can't parse entities: unexpected end tag "${tag}"`);
      if (text.length > top.offset) {
        const type = tagTypes[tag]!;
        entities.push({
          type,
          offset: top.offset,
          length: text.length - top.offset,
          ...(top.url ? { url: top.url } : {}),
        });
      }
    } else if (token.startsWith("<") && token.length > 1) {
      const m = /^<([a-z]+)(?:\s+href="([^"]*)")?\s*>$/i.exec(token);
      const tag = m?.[1]?.toLowerCase();
      if (!tag || !tagTypes[tag]) throw new Error(`can't parse entities: unsupported start tag "${token}"`);
      if (tag === "a" && !m![2]) throw new Error("can't parse entities: a link without href");
      open.push({ tag, offset: text.length, ...(tag === "a" ? { url: decode(m![2]!) } : {}) });
    } else if (token === "<") {
      throw new Error(`can't parse entities: a stray "<" at ${text.length}`);
    } else {
      text += decode(token);
    }
  }
  if (open.length > 0) throw new Error(`can't find end tag corresponding to start tag "${open.at(-1)!.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function decode(s: string): string {
  return s.replace(/&(#\d+|\w+);/g, (whole, name: string) =>
    name.startsWith("#") ? String.fromCodePoint(Number(name.slice(1))) : (named[name] ?? whole),
  );
}

/** What Telegram makes of a sendMessage or editMessageText body, or why it refuses it. */
export function renderBody(body: { text?: unknown; parse_mode?: unknown; entities?: unknown }): Rendered {
  const raw = typeof body.text === "string" ? body.text : "";
  const out: Rendered =
    body.parse_mode === "HTML"
      ? renderHtml(raw)
      : { text: raw, entities: Array.isArray(body.entities) ? (body.entities as Entity[]) : [] };
  if (out.text.trim() === "") throw new Error("message text is empty");
  if (out.text.length > 4096) throw new Error("message is too long");
  for (const e of out.entities) {
    if (e.offset < 0 || e.length <= 0 || e.offset + e.length > out.text.length) {
      throw new Error(`can't parse entities: entity ${JSON.stringify(e)} is outside the text`);
    }
  }
  return out;
}
