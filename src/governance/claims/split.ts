/**
 * A claim sentence into its parts: "I've started nginx and it's listening on 8080" is two facts,
 * each checked on its own. Splits on ";", ",", "and", "but" outside quotes; a bare name before
 * "and" takes the predicate after it ("nginx and postgres are running"). Wording that does not
 * change the fact is dropped ("now", "successfully" before a verb, "Done:", "I can confirm that").
 */

/** Parts past this make the claim UNVERIFIABLE as a whole rather than half-checked. */
export const maxParts = 10;

/** Normalises the whole sentence: spacing, quotes, a closing full stop, openers that state nothing. */
export function normalize(claim: string): string {
  let s = claim
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/`/g, "")
    .trim();
  s = outsideQuotes(s, (t) => t.replace(/\s+/g, " "));
  // A checklist's ticked box says done; an unticked one ("[ ]") is a plan and stays, unread.
  s = s.replace(/^(?:[-*•]\s*|\p{Extended_Pictographic}\uFE0F?\s*|\[[xX✓✔]\]\s*)+/u, "");
  s = s.replace(/^(?:done|update|status|result|confirmed|verified|fyi|note)\s?[:-]\s*/i, "");
  s = s.replace(
    /^(?:(?:i can confirm|i confirm|i(?:'ve| have)? (?:verified|confirmed|checked|made sure)) (?:that )?|(?:verified|confirmed|checked|made sure|ensured) that )/i,
    "",
  );
  s = s.replace(/[.!]+$/, "").trim();
  return outsideQuotes(s, (t) =>
    t
      .replace(/\bup and running\b/gi, "running")
      .replace(/\bit's\b/gi, "it is")
      .replace(/\bthat's\b/gi, "that is"),
  );
}

/** The parts of a normalised claim, each tidied; empty parts dropped. */
export function splitParts(normalized: string): string[] {
  const raw: string[] = [];
  let current = "";
  let quote: string | undefined;
  const s = normalized;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
      continue;
    }
    if (opensQuote(s, i) && s.indexOf(ch, i + 1) > i) {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === ";") {
      raw.push(current);
      current = "";
      continue;
    }
    if (ch === "," && s[i + 1] === " ") {
      raw.push(current);
      current = "";
      i += 1;
      const and = /^(?:and|but) /i.exec(s.slice(i + 1));
      if (and) i += and[0].length;
      continue;
    }
    const joiner = /^ (?:and|but|as well as) /i.exec(s.slice(i));
    if (joiner) {
      raw.push(current);
      current = "";
      i += joiner[0].length - 1;
      continue;
    }
    current += ch;
  }
  raw.push(current);
  return distribute(
    portLists(
      raw
        .map(tidy)
        .filter((p) => p !== "")
        .flatMap(neitherNor),
    ),
  );
}

/**
 * "Neither a nor b is running" is "a is not running" and "b is not running"; only with a plain
 * verb, so the negation lands where it means.
 */
function neitherNor(part: string): string[] {
  const m = /^neither (\S+(?: \S+)?) nor (\S+(?: \S+)?) (is|are|was|were) (?!not\b|no\b)(.+)$/i.exec(part);
  if (!m || /["']/.test(part)) return [part];
  const verb = m[3]!.toLowerCase() === "were" ? "was" : m[3]!.toLowerCase() === "are" ? "is" : m[3]!;
  return [`${m[1]!} ${verb} not ${m[4]!}`, `${m[2]!} ${verb} not ${m[4]!}`];
}

/** "Ports 80, 443 and 8080 are open", "port 80 and 443 are open": each number is a port of its own. */
function portLists(parts: string[]): string[] {
  const out = [...parts];
  for (let i = 0; i < out.length; i++) {
    const m = /^((?:the )?(?:tcp )?)(port)s? (\d{1,5})$/i.exec(out[i]!);
    if (!m) continue;
    out[i] = `${m[1]!}${m[2]!} ${m[3]!}`;
    for (let j = i + 1; j < out.length && /^\d{1,5}\b/.test(out[j]!); j++) out[j] = `port ${out[j]!}`;
  }
  return out;
}

/**
 * A status line's "name: state" ("Service api: healthy", "nginx: running", "port 8080: open") says
 * "name is state". Only a name (with what it is) before the colon, never a verb ("contains status:
 * ok" is a text), and only these words of state after it; the kinds still read the result, anchored.
 */
const statusLine =
  /^((?:(?:the )?(?:service|process|daemon|worker|check|health check|container|target|port|file|folder|url|endpoint) )?[\w.@+/:-]+): ((?:not |no longer )?(?:running|up|down|healthy|unhealthy|ok|failing|passing|stopped|listening|open|closed|online|offline|active|dead|alive|degraded|available|unavailable|present|absent|reachable|unreachable|free|in use))$/i;

/** Words that only colour the verb: "is now running", "successfully started", "both". */
function tidy(part: string): string {
  return (
    outsideQuotes(part.trim(), (t) =>
      t
        .replace(/^(?:both|also|then|and|but) /i, "")
        .replace(/\b(is|are) (?:both|all) /gi, "$1 ")
        .replace(/\b(?:now|currently|already|still|also|successfully) (?=\S)/gi, "")
        .replace(/ (?:now|again|already|any ?more)$/i, "")
        .replace(/ {2,}/g, " "),
    )
      .trim()
      .replace(statusLine, "$1 is $2")
      // curl takes "localhost:8080/health" as http://: so does the claim that quotes it.
      .replace(
        /^(curl (?:-[a-zA-Z]+ )*)(?=(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):\d)/i,
        "$1http://",
      )
  );
}

/** Where a quote opens: a double quote anywhere, a single one not inside a word ("isn't"). */
function opensQuote(s: string, i: number): boolean {
  const ch = s[i];
  return ch === '"' || (ch === "'" && !/\w/.test(s[i - 1] ?? ""));
}

/** Applies `f` to the text outside quotes only: a quoted text is compared as written. */
export function outsideQuotes(s: string, f: (t: string) => string): string {
  let out = "";
  let plain = "";
  for (let i = 0; i < s.length; i++) {
    if (!opensQuote(s, i)) {
      plain += s[i];
      continue;
    }
    const close = s.indexOf(s[i]!, i + 1);
    if (close < 0) {
      plain += s[i];
      continue;
    }
    out += f(plain) + s.slice(i, close + 1);
    plain = "";
    i = close;
  }
  return out + f(plain);
}

const bare = /^(?:(?:the )?(?:process|service|container|check|target|port)s? )?[\w.@+/-]+$/i;
const subjectAndPredicate =
  /^(?:(?:the )?(?:process|service|container|check|target|port) )?[\w.@+/-]+ ((?:is|are|was|were|has|have|runs|run) .+|exists?)$/i;

/** "nginx" before "postgres are running" becomes "nginx are running"; "/a" before "/b exist", "/a exist". */
function distribute(parts: string[]): string[] {
  const out = [...parts];
  for (let i = out.length - 2; i >= 0; i--) {
    if (!bare.test(out[i]!)) continue;
    const next = subjectAndPredicate.exec(out[i + 1]!);
    if (next) out[i] = `${out[i]!} ${next[1]!}`;
  }
  return out;
}
