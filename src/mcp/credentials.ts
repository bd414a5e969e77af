/**
 * What `get_logs` hides besides the configured secrets: anything in a service's output shaped like a
 * credential. The agent's redactor knows only the values its config holds; a service that prints
 * the database password from its own `.env`, a bearer token it was sent or a key it generated would
 * otherwise hand them to an assistant. Over-hiding a line is cheap here; showing a secret is not.
 *
 * Owns: credential shapes in free text. Imports nothing.
 */

const REDACTED = "[REDACTED]";

/*
 * Every pattern here runs in time linear in the line: a service's output is anyone's text, and a
 * line can be megabytes. So no pattern starts with an unbounded run before the part it looks for
 * (the name before "password" stays outside the match), and a JWT, which can fail after a long
 * scan, may start only where the run of its characters starts, so no two attempts scan one run.
 */

/** A credential's name (the end of `db_password`, `API_KEY`), then `=` or `:` (quotes allowed), then the value. */
const namedValue =
  /(pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth)(\s*(?:["']\s*)?[:=]\s*["']?)(?!\[REDACTED\])([^\s"',;&]+)/gi;
/** `Authorization: Bearer …` or the scheme alone, as a client or a server logs it. */
const authScheme = /\b(Bearer|Basic|Token|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** `scheme://user:password@host`: the password. */
const urlPassword = /(:\/\/[^\s/:@]*:)[^\s/@]+@/g;
/** Tokens with a shape of their own: AWS access key ids, GitHub and Slack tokens, JWTs. */
const shaped =
  /(?<!\w)(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,})\b|(?<![\w-])eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}\b/g;

/** One line with every credential-shaped value replaced by [REDACTED]. */
export function hideCredentials(line: string): string {
  return line
    .replace(urlPassword, `$1${REDACTED}@`)
    .replace(authScheme, `$1 ${REDACTED}`)
    .replace(namedValue, `$1$2${REDACTED}`)
    .replace(shaped, REDACTED);
}

/**
 * Lines in order, with `hideCredentials` applied and a PEM private key's whole block hidden (its
 * base64 lines carry no name to match): also a block whose BEGIN fell before the window (an END
 * with no BEGIN before it hides everything above it), or whose END falls after it.
 */
export function hideCredentialLines(lines: string[]): string[] {
  const out = lines.map(hideCredentials);
  const hide = (from: number, to: number) => out.fill(REDACTED, from, to + 1);
  let start = 0;
  let begun = false;
  let open = true; // until a line says otherwise, the window may start inside a block
  lines.forEach((line, i) => {
    if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) {
      start = i;
      begun = true;
      open = true;
    }
    if (/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(line)) {
      if (open) hide(start, i);
      open = false;
      begun = false;
    }
  });
  if (begun) hide(start, lines.length - 1);
  return out;
}
