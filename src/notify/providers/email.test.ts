/**
 * The email provider against a real SMTP server on 127.0.0.1: what arrives, how refusals are
 * classified, STARTTLS and implicit TLS with a private certificate, and a password that never leaks.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { kit } from "../../config/kit.ts";
import { withBaseDir } from "../../config/primitives.ts";
import { freePort } from "../../../test/helpers/net.ts";
import type { Outgoing } from "../provider.ts";
import { hugeMessage, incidentMessage } from "../../../test/helpers/incident-message.ts";
import emailProvider, { emailBodies } from "./email.ts";

interface Received {
  from: string;
  to: string[];
  user: unknown;
  secure: boolean;
  raw: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** A self-signed certificate for 127.0.0.1, made once with the openssl CLI. */
let pki: { dir: string; key: string; cert: string; caFile: string };
beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-smtp-tls-"));
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "2"],
      ...["-subj", "/CN=vigil test", "-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  pki = { dir, key: read("key.pem"), cert: read("cert.pem"), caFile: path.join(dir, "cert.pem") };
});
afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

/** An SMTP server collecting each message; plain (no STARTTLS) unless the options say otherwise. */
async function smtp(options: Partial<SMTPServerOptions> = {}) {
  const got: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user,
          secure: session.secure,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return { got, port: (server.server.address() as net.AddressInfo).port };
}

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

const n: Outgoing = {
  id: "0b9c2d6e-notif",
  message: {
    id: "0b9c2d6e-notif",
    kind: "incident.opened",
    target: "web-1",
    title: "web-1 is down",
    text: "GET /health: connection refused\nsince 03:04",
    incident_id: "inc-7",
    at: Date.UTC(2026, 0, 2, 3, 4, 5),
  },
};
const base = { from: "vigil@ops.example", to: ["oncall@ops.example", "lead@ops.example"] };
const send = (
  cfg: Partial<Parameters<typeof emailProvider.deliver>[0]> & { smtp: string },
  timeoutMs = 5_000,
) => emailProvider.deliver({ ...base, ...cfg }, n, { timeoutMs, now: n.message.at });

const password = "p@ss w0rd!";
const url = (port: number, scheme = "smtp") =>
  `${scheme}://vigil:${encodeURIComponent(password)}@127.0.0.1:${port}`;
const checkAuth: SMTPServerOptions["onAuth"] = (auth, _session, callback) =>
  auth.username === "vigil" && auth.password === password
    ? callback(null, { user: "vigil" })
    : callback(new Error("Invalid username or password"));

describe("email", () => {
  it("sends one message with the subject, text, Message-ID and notification id header", async () => {
    const s = await smtp({ authOptional: false, onAuth: checkAuth });
    expect(await send({ smtp: url(s.port) })).toEqual({ ok: true });
    expect(s.got).toHaveLength(1);
    const m = s.got[0]!;
    expect([m.from, m.to, m.user]).toEqual([base.from, base.to, "vigil"]);
    expect(m.raw).toMatch(/^Subject: \[vigil\] web-1 is down\r$/m);
    expect(m.raw).toMatch(/^From: vigil@ops\.example\r$/m);
    expect(m.raw).toMatch(/^To: oncall@ops\.example, lead@ops\.example\r$/m);
    expect(m.raw).toMatch(/^Message-ID: <0b9c2d6e-notif@vigil>\r$/m);
    // Header names are case-insensitive; nodemailer writes "-ID".
    expect(m.raw).toMatch(/^X-Vigil-Notification-Id: 0b9c2d6e-notif\r$/im);
    expect(m.raw.split("\r\n\r\n").slice(1).join("\r\n\r\n")).toContain(
      "GET /health: connection refused\r\nsince 03:04",
    );
  });

  it("signs off with the audit anchor", async () => {
    const s = await smtp({ authOptional: false, onAuth: checkAuth });
    const anchored = { ...n, message: { ...n.message, audit_anchor: "seq 1372 #ab12cd34" } };
    expect(
      await emailProvider.deliver({ ...base, smtp: url(s.port) }, anchored, { timeoutMs: 5_000, now: 0 }),
    ).toEqual({
      ok: true,
    });
    expect(s.got[0]!.raw).toContain("\r\n-- \r\naudit seq 1372 #ab12cd34");
  });

  it("an incident's context in the text and in the HTML alternative, the page a link there", async () => {
    const s = await smtp({ authOptional: false, onAuth: checkAuth });
    const sent = { id: "n-7", message: incidentMessage };
    expect(
      await emailProvider.deliver({ ...base, smtp: url(s.port) }, sent, { timeoutMs: 5_000, now: 0 }),
    ).toEqual({
      ok: true,
    });
    const raw = s.got[0]!.raw;
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(raw).toMatch(/^Content-Type: text\/html; charset=utf-8\r$/m);
    const { text, html } = emailBodies(incidentMessage);
    expect(text).toContain(
      "Since: 2026-12-06 03:02:00 UTC\nLast 7 results: ✓✓✗✗✓✗✗ (oldest first)\nTried:\n  03:02:01 automatic restart (exited with code 1): running again (pid 4242)",
    );
    expect(text).toContain("Next: clean-logs (attempt 2 of 3) at 03:03:40 UTC");
    expect(text.endsWith("\n\n-- \naudit seq 1372 #ab12cd34")).toBe(true);
    expect(html).toContain("<h3>web is down (condition_failed)</h3>");
    expect(html).toContain("<b>Last 7 results:</b> ✓✓✗✗✓✗✗ (oldest first)");
    expect(html).toContain(`<a href="${incidentMessage.context!.url}">`);
    const huge = emailBodies(hugeMessage()).html;
    expect(huge.match(/&(?!(amp|lt|gt|quot);)/g)).toBeNull();
    expect(
      huge
        .match(/<[^>]*>/g)!
        .every((t) =>
          /^<(\/?(b|a|p|h3|html|body)|br|!doctype html|a href="[^"<>]*"|p style="[^"<>]*")>$/.test(t),
        ),
    ).toBe(true);
  });

  it("a refused password is permanent, and the error does not hold the password", async () => {
    const s = await smtp({ authOptional: false, onAuth: checkAuth });
    const wrong = `smtp://vigil:${encodeURIComponent("not-the-one")}@127.0.0.1:${s.port}`;
    const d = await send({ smtp: wrong });
    expect(d).toMatchObject({ ok: false, permanent: true });
    expect(!d.ok && d.error).toBe("SMTP EAUTH: 535 Invalid username or password");
    expect(JSON.stringify(d)).not.toContain("not-the-one");
    expect(s.got).toHaveLength(0);
  });

  it("a server that echoes the password in its reply still does not get it into the error", async () => {
    const s = await smtp({
      authOptional: false,
      onAuth: (auth, _s, cb) => cb(smtpError(`bad password ${auth.password}`, 535)),
    });
    const d = await send({ smtp: url(s.port) });
    expect(d).toMatchObject({ ok: false, permanent: true });
    expect(JSON.stringify(d)).not.toContain(password);
    expect(JSON.stringify(d)).not.toContain(encodeURIComponent(password));
  });

  it("a recipient refused with 550 is permanent", async () => {
    const s = await smtp({ onRcptTo: (_a, _s, cb) => cb(smtpError("No such user here", 550)) });
    const d = await send({ smtp: `smtp://127.0.0.1:${s.port}`, to: ["nobody@ops.example"] });
    expect(d).toMatchObject({ ok: false, permanent: true });
    expect(!d.ok && d.error).toBe("SMTP EENVELOPE: 550 No such user here");
  });

  it("a 451 is transient", async () => {
    const s = await smtp({
      onData: (stream, _s, cb) => {
        stream.resume();
        stream.on("end", () => cb(smtpError("Try again later", 451)));
      },
    });
    const d = await send({ smtp: `smtp://127.0.0.1:${s.port}` });
    expect(d).toMatchObject({ ok: false, permanent: false });
    expect(!d.ok && d.error).toBe("SMTP EMESSAGE: 451 Try again later");
  });

  it("a refused connection is transient", async () => {
    const port = await freePort();
    expect(await send({ smtp: `smtp://127.0.0.1:${port}` })).toEqual({
      ok: false,
      error: "SMTP ECONNREFUSED",
      permanent: false,
    });
  });

  it("a server that accepts but never greets is a transient failure within the timeout", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((sock) => sockets.add(sock));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    closers.push(
      () =>
        new Promise<void>((r) => {
          for (const sock of sockets) sock.destroy();
          silent.close(() => r());
        }),
    );
    const d = await send({ smtp: `smtp://127.0.0.1:${(silent.address() as net.AddressInfo).port}` }, 300);
    expect(d).toMatchObject({ ok: false, permanent: false });
    // Whichever fires first: the greeting timeout or the deadline on the whole send.
    expect(!d.ok && d.error).toMatch(/^(no answer within 300 ms|SMTP ETIMEDOUT)$/);
  });

  describe("TLS with a private certificate", () => {
    const tlsServer = (secure: boolean) =>
      smtp({
        secure,
        key: pki.key,
        cert: pki.cert,
        disabledCommands: [],
        allowInsecureAuth: false,
        authOptional: false,
        onAuth: checkAuth,
      });

    it("STARTTLS to a server trusted through ca_file", async () => {
      const s = await tlsServer(false);
      expect(await send({ smtp: url(s.port), ca_file: pki.caFile })).toEqual({ ok: true });
      expect(s.got[0]).toMatchObject({ secure: true, user: "vigil" });
    });

    it("implicit TLS (smtps://) trusted through ca_file", async () => {
      const s = await tlsServer(true);
      expect(await send({ smtp: url(s.port, "smtps"), ca_file: pki.caFile })).toEqual({ ok: true });
      expect(s.got[0]).toMatchObject({ secure: true });
    });

    it("the same server without ca_file fails, naming the fix", async () => {
      const s = await tlsServer(false);
      const d = await send({ smtp: url(s.port) });
      expect(d).toMatchObject({ ok: false, permanent: false });
      expect(!d.ok && d.error).toMatch(/certificate is not trusted \(\w+\); set ca_file/);
      expect(JSON.stringify(d)).not.toContain(password);
      expect(s.got).toHaveLength(0);
    });

    it("a ca_file that does not exist is permanent and named", async () => {
      const missing = path.join(pki.dir, "nope.pem");
      expect(await send({ smtp: "smtp://127.0.0.1:1", ca_file: missing })).toEqual({
        ok: false,
        error: `ca_file ${missing} cannot be read (ENOENT)`,
        permanent: true,
      });
    });
  });

  it("ca_file resolves against the config file's folder", () => {
    const cfg = withBaseDir("/etc/vigil", () =>
      emailProvider.schema(kit).parse({ smtp: "smtps://h", ...base, ca_file: "ca.pem" }),
    );
    expect(cfg.ca_file).toBe("/etc/vigil/ca.pem");
  });
});
