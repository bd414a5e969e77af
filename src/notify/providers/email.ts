/**
 * `email`: one message per notification through nodemailer, on a fresh connection that is closed
 * after the send. `smtp://` starts plain and upgrades with STARTTLS when the server offers it;
 * `smtps://` is TLS from the first byte. The SMTP URL holds the password, so error strings are built
 * from the error's code and the server's reply only, never from a message that might quote options.
 */
import { readFile } from "node:fs/promises";
import { createTransport } from "nodemailer";
import type { z } from "zod";
import type { Delivery, Provider } from "../provider.ts";
import type { schema } from "./email.schema.ts";

type EmailConfig = z.output<typeof schema>;

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
): Promise<{ transport: ReturnType<typeof createTransport> } | { error: string }> {
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
  const transport = createTransport({
    url: cfg.smtp,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(ca ? { tls: { ca } } : {}),
  });
  return { transport };
}

export const emailProvider: Provider<EmailConfig> = {
  type: "email",
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
        text: n.message.text,
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
};
