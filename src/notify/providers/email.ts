/**
 * `email`: one message per notification through nodemailer, plain text with an HTML alternative, on a fresh connection that is closed
 * after the send. `smtp://` starts plain and upgrades with STARTTLS when the server offers it;
 * `smtps://` is TLS from the first byte. The SMTP URL holds the password, so error strings are built
 * from the error's code and the server's reply only, never from a message that might quote options.
 */
import { readFile } from "node:fs/promises";
import type { Transporter } from "nodemailer";
import type { z } from "zod";
import type { SchemaKit } from "../../config/kit.ts";
import { escapeHtml, fit, messageParts, partsHtml, partsText } from "../context.ts";
import { anchorLine, defineProvider, type ChannelCheck, type Delivery, type Outgoing } from "../provider.ts";

/** Its own constant, so doctor and the tests can name the settings' type. */
const schema = ({ z, filePath }: SchemaKit) =>
  z.strictObject({
    smtp: z
      .string()
      .regex(/^smtps?:\/\//, "an SMTP URL: smtp://user:pass@host:587 (STARTTLS) or smtps://host:465"),
    from: z.email(),
    to: z.array(z.email()).min(1),
    /** For a server whose certificate comes from a private CA: that CA, as PEM; read at each delivery. */
    ca_file: filePath
      .optional()
      .describe(
        "A PEM file of a private CA to trust for the SMTP server; relative to the config file's folder.",
      ),
  });

export type EmailConfig = z.output<ReturnType<typeof schema>>;

interface SmtpError {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
}

/** Node's codes for a certificate that does not verify: a setting to fix, named in the error. */
const certificateCodes =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/;

/**
 * 5xx replies and refused credentials will be refused again: permanent. 4xx replies (454 is a
 * temporary authentication failure), refused connections and timeouts are transient.
 */
export function classifySmtp(err: SmtpError, timeoutMs: number): Delivery & { ok: false } {
  const code = err.originalCode ?? err.code ?? "ERROR";
  const reply = err.response?.replace(/\s+/g, " ").trim().slice(0, 300);
  const rc = err.responseCode;
  if (err.code === "EABORT")
    return { ok: false, error: `no answer within ${timeoutMs} ms`, permanent: false };
  // A reply starts with its own code: "535 5.7.8 Authentication failed".
  let error = reply ? `SMTP ${code}: ${reply}` : `SMTP ${code}${rc ? ` ${rc}` : ""}`;
  if (certificateCodes.test(code))
    error = `SMTP TLS: the server's certificate is not trusted (${code}); set ca_file to the CA that signed it`;
  const permanent =
    rc !== undefined && rc >= 400 && rc < 500
      ? false
      : (rc !== undefined && rc >= 500 && rc < 600) || err.code === "EAUTH" || err.code === "ENOAUTH";
  return { ok: false, error, permanent };
}

/** The password as written in the URL and decoded, to scrub from anything a server echoes. */
function secrets(smtp: string): string[] {
  try {
    const raw = new URL(smtp).password;
    return [raw, decodeURIComponent(raw)].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

/**
 * A transport for one conversation: every wait bounded by `timeoutMs`, trusting `ca_file` when set.
 * An unreadable `ca_file` is an error naming it (the caller says whether that is permanent).
 */
export async function smtpTransport(
  cfg: EmailConfig,
  timeoutMs: number,
): Promise<{ transport: Transporter } | { error: string }> {
  let ca: Buffer | undefined;
  if (cfg.ca_file) {
    try {
      ca = await readFile(cfg.ca_file);
    } catch (e) {
      return {
        error: `ca_file ${cfg.ca_file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`,
      };
    }
  }
  // nodemailer loads here, at the first email, not with this file: an agent without email never carries it.
  const { createTransport } = await import("nodemailer");
  const transport = createTransport({
    url: cfg.smtp,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(ca ? { tls: { ca } } : {}),
  });
  return { transport };
}

/** Plenty for a mail reader, bounded against a runaway text. */
const maxBody = 100_000;

/**
 * The plain text and the HTML alternative: what happened, the incident's context (the page as a
 * link in the HTML), and the audit anchor after the signature separator.
 */
export function emailBodies(m: Outgoing["message"]): { text: string; html: string } {
  const anchor = anchorLine(m);
  const parts = messageParts(m);
  const text = partsText(fit(parts, maxBody, (p) => partsText(p).length));
  const html = partsHtml(
    fit(parts, maxBody, (p) => partsHtml(p, "<br>\n").length),
    "<br>\n",
  );
  return {
    text: anchor ? `${text}\n\n-- \n${anchor}` : text,
    html: `<!doctype html><html><body><h3>${escapeHtml(m.title)}</h3><p>${html}</p>${
      anchor ? `<p style="color:#666">-- <br>${escapeHtml(anchor)}</p>` : ""
    }</body></html>`,
  };
}

/** The HTML part of a message with sections (the daily digest): a heading and a list for each. */
export function emailHtml(m: Outgoing["message"]): string | undefined {
  if (!m.sections) return undefined;
  const anchor = anchorLine(m);
  const body = [
    `<h2>${escapeHtml(m.title)}</h2>`,
    ...m.sections.map(
      (s) =>
        `<h3>${escapeHtml(s.heading)}</h3>\n<ul>\n${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join("\n")}\n</ul>`,
    ),
    ...(anchor ? [`<p style="color:#777">${escapeHtml(anchor)}</p>`] : []),
  ];
  return `<!doctype html>\n<html><body style="font-family:sans-serif">\n${body.join("\n")}\n</body></html>`;
}

export default defineProvider({
  type: "email",
  description:
    "SMTP through nodemailer: `smtp://` (STARTTLS when offered) or `smtps://` (TLS); `ca_file` for a private CA.",
  schema,
  example: {
    smtp: "smtp://vigil:password@mail.example.com:587",
    from: "vigil@example.com",
    to: ["ops@example.com"],
  },
  // The SMTP URL holds the password.
  secrets: ["smtp"],
  doctor: (cfg) => ({ verify: (key, timeoutMs) => checkServer(cfg, key, timeoutMs) }),
  async deliver(cfg, n, opts): Promise<Delivery> {
    const made = await smtpTransport(cfg, opts.timeoutMs);
    if ("error" in made) return { ok: false, error: made.error, permanent: true };
    const { transport } = made;
    try {
      await transport.sendMail({
        from: cfg.from,
        to: cfg.to,
        // A line break in a subject would end the header; titles come from failing services.
        subject: `[vigil] ${n.message.title.replace(/[\r\n]+/g, " ")}`,
        ...emailBodies(n.message),
        ...(n.message.sections ? { html: emailHtml(n.message) } : {}),
        messageId: `<${n.id}@vigil>`,
        headers: { "X-Vigil-Notification-Id": n.id },
        // The three timeouts bound each wait; this bounds the whole conversation.
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      return { ok: true };
    } catch (e) {
      const failed = classifySmtp(e as SmtpError, opts.timeoutMs);
      for (const s of secrets(cfg.smtp)) failed.error = failed.error.replaceAll(s, "***");
      return failed;
    } finally {
      transport.close();
    }
  },
});

/** Doctor's look without sending: the SMTP handshake (EHLO, STARTTLS, login) that nodemailer's verify does. */
async function checkServer(cfg: EmailConfig, key: string, timeoutMs: number): Promise<ChannelCheck> {
  const made = await smtpTransport(cfg, timeoutMs);
  if ("error" in made) return { ok: false, what: made.error, fix: `fix ${key}.ca_file` };
  const { transport } = made;
  const u = new URL(cfg.smtp);
  const server = `${u.hostname}:${u.port || (u.protocol === "smtps:" ? 465 : 587)}`;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The three timeouts bound each wait; this bounds the whole conversation.
    const answered = await Promise.race([
      transport.verify().then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs * 3))),
    ]);
    if (!answered) throw Object.assign(new Error("timeout"), { code: "EABORT" });
    return {
      ok: true,
      detail: `SMTP ${server} accepts the connection and the login; nothing sent (--send sends one)`,
    };
  } catch (e) {
    const failed = classifySmtp(e as SmtpError, timeoutMs * 3);
    for (const s of secrets(cfg.smtp)) failed.error = failed.error.replaceAll(s, "***");
    return {
      ok: false,
      what: `SMTP ${server}: ${failed.error}`,
      fix: failed.permanent
        ? `the server refused: check the user, password and from address in ${key}.smtp`
        : `check that the server runs at ${server} and this machine may reach it`,
    };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
