/**
 * Splits a command string into argv the way a POSIX shell splits words (quotes, backslashes), but
 * nothing else a shell does: no variables, globs, pipes or redirections. Those are refused with a
 * message, because a config author who writes `a | b` expects a pipe and would silently get none.
 */

export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

const operators = ["&&", "||", "|", ";", ">", "<", "`", "$(", "&"];

export interface SplitOptions {
  /**
   * Keep `${...}` references (and `$${`) whole, whatever they hold, for a split that happens before
   * interpolation: `${X:-a b}` stays one piece of one word.
   */
  keepReferences?: boolean;
}

/** @example splitArgv(`node "my server.js" --port 80`) → ["node", "my server.js", "--port", "80"] */
export function splitArgv(text: string, options: SplitOptions = {}): SplitResult {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? "";
    const ref = options.keepReferences && ch === "$" ? referenceAt(text, i) : undefined;
    if (ref !== undefined) {
      word += ref;
      inWord = true;
      i += ref.length - 1;
      continue;
    }
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1] ?? "")) word += text[++i];
      else if (ch === "`" || (ch === "$" && text[i + 1] === "(")) return refuse(ch === "`" ? "`" : "$(");
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\") {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
    } else {
      const op = operators.find((o) => text.startsWith(o, i));
      if (op) return refuse(op);
      word += ch;
      inWord = true;
    }
  }
  if (quote)
    return { ok: false, message: `unterminated ${quote} quote; close it or write the command as a list` };
  if (inWord) argv.push(word);
  return { ok: true, argv };
}

/** The reference (`${...}` or `$${`) that starts at `i`, or undefined. */
function referenceAt(text: string, i: number): string | undefined {
  if (text.startsWith("$${", i)) return "$${";
  if (!text.startsWith("${", i)) return undefined;
  const end = text.indexOf("}", i + 2);
  return end < 0 ? undefined : text.slice(i, end + 1);
}

function refuse(op: string): SplitResult {
  return {
    ok: false,
    message: `contains the shell operator "${op}", but Vigil never runs a shell; write the command as a list (["prog", "arg"]) or put the pipeline in a script and run that`,
  };
}
