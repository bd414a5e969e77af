/**
 * What an incident's message carries besides the fact it tells, so a person can act on it without
 * opening a laptop: since when, the last results as a line, what Vigil already tried and with what
 * result, what it does next, and the incident's dashboard page. Built when the notice is queued
 * (`context-builder.ts`), carried in the message as data (a webhook's `context` field), and turned
 * into labelled parts here for the providers that write text; each provider fits them to its limit
 * by `rank`, dropping the least important part first.
 */

export interface IncidentContext {
  incident_id: string;
  status: "open" | "resolved";
  /** When the incident opened, ms epoch. */
  since: number;
  /** The target's newest check results, oldest first: true passed. */
  results: boolean[];
  /** What Vigil did about it, oldest first (the newest ones when there were many). */
  tried: { at: number; what: string; result: string }[];
  /** What it does next; `final` when nothing more will run. */
  next: { what: string; at?: number | undefined; final: boolean };
  /** The incident's dashboard page, when `agent.public_url` is set. */
  url?: string | undefined;
  /** `results` as the line people read; only in a webhook's body. */
  results_line?: string;
}

/** One part of a message as text: its label, its lines, and how soon it goes when room is short. */
export interface Part {
  label: string;
  lines: string[];
  /** Lower is kept longer: the title and what failed are 0, the link the first to go. */
  rank: number;
  /** Its one line is a URL, which HTML renders as a link. */
  href?: boolean;
}

/** `✗✗✓✗✗`, oldest first. */
export const resultsLine = (results: readonly boolean[]): string =>
  results.map((ok) => (ok ? "✓" : "✗")).join("");

/** `2026-12-06 16:52:09 UTC`: the reader's time zone is unknown, so the time says its own. */
export const utc = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** `16:52:09`: for steps of one incident, whose day the `since` line already says. */
const hms = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

export function nextText(next: IncidentContext["next"]): string {
  return next.at === undefined ? next.what : `${next.what} at ${hms(next.at)} UTC`;
}

/** The context as labelled parts, in the order a reader wants them. */
export function contextParts(c: IncidentContext): Part[] {
  const parts: Part[] = [{ label: "Since", lines: [utc(c.since)], rank: 3 }];
  if (c.results.length > 0)
    parts.push({
      label: `Last ${c.results.length} results`,
      lines: [`${resultsLine(c.results)} (oldest first)`],
      rank: 4,
    });
  parts.push({
    label: "Tried",
    lines: c.tried.length === 0 ? ["nothing yet"] : c.tried.map((t) => `${hms(t.at)} ${t.what}: ${t.result}`),
    rank: 2,
  });
  parts.push({ label: "Next", lines: [nextText(c.next)], rank: 1 });
  if (c.url) parts.push({ label: "Incident page", lines: [c.url], rank: 5, href: true });
  return parts;
}

/** Parts as plain text: `Label: line`, or the label over its lines when there are several. */
/** `&`, `<`, `>` and `"` as entities: enough for HTML text and a quoted attribute. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Parts as HTML of the subset Telegram and mail readers share: a bold label, lines broken with `br`
 * or `\n` (`nl`), the link as `a`. Every line is escaped here, so a part is whole or absent.
 */
export function partsHtml(parts: readonly Part[], nl: string): string {
  return joined(
    parts,
    parts.map((p) => {
      const lines = p.lines.map((l) =>
        p.href ? `<a href="${escapeHtml(l)}">${escapeHtml(l)}</a>` : escapeHtml(l).replace(/\n/g, nl),
      );
      if (p.label === "") return lines.join(nl);
      const label = `<b>${escapeHtml(p.label)}:</b>`;
      return lines.length === 1 ? `${label} ${lines[0]}` : `${label}${nl}${lines.join(nl)}`;
    }),
    nl,
  );
}

/** Rendered parts, one a line; a blank line sets off the body and the anchor from the context. */
function joined(parts: readonly Part[], rendered: string[], nl: string): string {
  return rendered
    .map((r, i) => (i > 0 && (parts[i]!.label === "" || parts[i - 1]!.label === "") ? nl + r : r))
    .join(nl);
}

export function partsText(parts: readonly Part[]): string {
  return joined(
    parts,
    parts.map((p) =>
      p.label === ""
        ? p.lines.join("\n")
        : p.lines.length === 1
          ? `${p.label}: ${p.lines[0]}`
          : `${p.label}:\n${p.lines.map((l) => `  ${l}`).join("\n")}`,
    ),
    "\n",
  );
}

/**
 * The parts cut until `size` of them is at most `max`. First, beside a context, a part of rank 0
 * (what happened) that alone would take more than half the room is cut to half, so a runaway text cannot push out the
 * next step. Then the part of the highest rank loses its oldest lines, then its line is clipped,
 * then it goes; rank 0 is only ever clipped, and a negative rank (the audit anchor) is never touched.
 * `size` measures the rendered message (escaping included), so what is cut is always plain text and
 * a tag or an entity is never broken. Bounded: each round removes a line or a part, or shortens one.
 */
export function fit(parts: readonly Part[], max: number, size: (p: Part[]) => number): Part[] {
  let out = parts.map((p) => ({ ...p, lines: [...p.lines] }));
  const context = out.some((p) => p.rank > 0);
  for (const p of context ? out : []) {
    const own = size([p]);
    if (p.rank === 0 && p.lines.length === 1 && own > max / 2) clipLine(p, own - Math.floor(max / 2), own);
  }
  const shrinkable = (p: Part) => p.rank > 0 || (p.rank === 0 && p.lines.join("").length > 1);
  for (let round = 0; round < 10_000; round++) {
    const total = size(out);
    const excess = total - max;
    if (excess <= 0) break;
    const victim = out.filter(shrinkable).sort((a, b) => b.rank - a.rank)[0];
    if (!victim) break;
    if (victim.lines.length > 1) {
      victim.lines.shift();
      if (victim.label !== "" && !victim.label.endsWith(" (newest)")) victim.label += " (newest)";
      continue;
    }
    const chars = [...(victim.lines[0] ?? "")];
    if (victim.rank > 0 && (chars.length <= excess + 20 || chars.length < 40)) {
      out = out.filter((p) => p !== victim);
      continue;
    }
    clipLine(victim, excess, size([victim]));
  }
  return out;
}

/**
 * Shortens a part's one line by at least `excess` of its rendered size `own`: by characters when
 * that is enough, else in proportion (escaping makes the rendered text longer than the line).
 */
function clipLine(p: Part, excess: number, own: number): void {
  const chars = [...(p.lines[0] ?? "")];
  const byChars = chars.length - excess - 1;
  const keep = Math.max(0, byChars > 0 ? byChars : Math.floor((chars.length * (own - excess)) / own) - 1);
  p.lines = [`${chars.slice(0, keep).join("")}…`];
}

/**
 * A message's body as parts: what happened (its text), the incident's context, and the audit anchor
 * last, which no cut reaches.
 */
export function messageParts(
  m: { text: string; context?: IncidentContext | undefined },
  anchor?: string,
): Part[] {
  const parts: Part[] = [];
  if (m.text.trim() !== "") parts.push({ label: "", lines: [m.text], rank: 0 });
  if (m.context) parts.push(...contextParts(m.context));
  if (anchor) parts.push({ label: "", lines: [anchor], rank: -1 });
  return parts;
}
