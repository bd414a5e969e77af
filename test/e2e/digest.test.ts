/**
 * The daily digest through the real agent, a real SMTP server and a webhook receiver on 127.0.0.1:
 * an agent that starts after `at` sends that day's at once, by mail and webhook, about the day
 * before in its time zone; a restarted agent does not send it again; and `vigil digest --preview`
 * prints what was sent. That it goes out at the configured minute (not before it, within a pass) is
 * the sender's schedule, proved with an injected clock in src/digest/digest.test.ts rather than by
 * waiting here for a wall-clock minute to turn.
 */
import type net from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { wallClock } from "../../src/digest/day.ts";
import { runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { closeReceivers, receiver, type Hit } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/tmp.ts";

/** A zone off UTC by a half hour, so a day boundary taken from UTC would show. */
const tz = "Asia/Kolkata";
const mails: { raw: string }[] = [];
let smtp: SMTPServer;
let smtpPort: number;
const agents: RunningAgent[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, _session, cb) {
      let raw = "";
      stream.on("data", (d: Buffer) => (raw += d.toString()));
      stream.on("end", () => {
        mails.push({ raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
  smtpPort = (smtp.server.address() as net.AddressInfo).port;
});

afterEach(async () => {
  for (const a of agents.splice(0)) expect(await a.stop()).toMatchObject({ code: 0 });
  await closeReceivers();
  mails.length = 0;
});

afterAll(async () => {
  await new Promise<void>((r) => smtp?.close(() => r()));
});

const yaml = (at: string, hook: string) => `agent: { listen: "127.0.0.1:0" }
checks:
  disk: { disk: { path: / }, every: 1h }
notify:
  channels:
    mail: { email: { smtp: "smtp://127.0.0.1:${smtpPort}", from: vigil@example.com, to: [ops@example.com] } }
    hook: { webhook: { url: "${hook}" } }
  digest: { at: "${at}", timezone: ${tz}, to: [mail, hook] }
`;

/** The body of a MIME part as text: quoted-printable soft breaks joined and =XX decoded. */
function decoded(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

interface DigestBody {
  kind: string;
  title: string;
  text: string;
  sections: { heading: string; lines: string[] }[];
  digest: { date: string; timezone: string; audit: { ok: boolean } };
}

const digests = (hits: Hit[]) =>
  hits.map((h) => JSON.parse(h.body) as DigestBody).filter((b) => b.kind === "digest");

async function start(at: string, hookUrl: string, dir?: string): Promise<RunningAgent> {
  // A loaded machine takes a while to start an agent.
  const a = await startAgent(yaml(at, hookUrl), { timeoutMs: 40_000, ...(dir ? { dir } : {}) });
  agents.push(a);
  return a;
}

describe("the daily digest", () => {
  it("goes out at once from an agent started after `at` that day, once, and not again after a restart; the preview says the same", async () => {
    // Not across the zone's midnight: a digest queued just after it would be for the day the test calls today.
    await expect.poll(() => wallClock(Date.now(), tz).minutes < 1_437, { timeout: 200_000 }).toBe(true);
    const now = wallClock(Date.now(), tz);
    // 00:00 has passed today, whenever the test runs.
    const at = "00:00";
    const hook = await receiver();
    const dir = tempDir("vigil-digest-e2e-");
    const agent = await start(at, hook.url, dir);

    await expect
      .poll(() => mails.length + digests(hook.hits).length, { timeout: 30_000, interval: 200 })
      .toBe(2);

    const [sent] = digests(hook.hits);
    expect(sent!.digest.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent!.digest.timezone).toBe(tz);
    expect(sent!.digest.date < now.date).toBe(true);
    expect(sent!.title).toBe(`Vigil daily digest for ${sent!.digest.date} (${tz}): all quiet`);
    expect(sent!.sections.map((s) => s.heading)).toEqual([
      "Incidents",
      "Actions",
      "Approvals",
      "Worst uptime",
      "Audit chain",
      "Backups",
    ]);
    expect(sent!.text).toContain("Audit chain\n  verified: the chain is intact");

    const mail = decoded(mails[0]!.raw);
    expect(mail).toMatch(/^Subject: \[vigil\] Vigil daily digest for \d{4}-\d{2}-\d{2}/m);
    expect(mail).toMatch(/Content-Type: text\/plain/);
    expect(mail).toMatch(/Content-Type: text\/html/);
    expect(mail).toContain("<h3>Audit chain</h3>");
    expect(mail).toContain("<li>verified: the chain is intact</li>");

    // The preview, through the running agent, prints what went out.
    const env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };
    const preview = await runCli(["digest", "--preview", "--date", sent!.digest.date], { env });
    expect(preview).toMatchObject({ code: 0, stderr: "" });
    expect(preview.stdout).toBe(`${sent!.title}\n\n${sent!.text}\n`);
    const json = await runCli(["digest", "--preview", "--json"], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      date: sent!.digest.date,
      configured: true,
      to: ["mail", "hook"],
    });
    const bad = await runCli(["digest", "--preview", "--date", "2026-02-30"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("date: a calendar date as YYYY-MM-DD");

    // A restart the same day: the new start finds it queued and sends nothing.
    await agents.pop()!.stop();
    const again = await start(at, hook.url, dir);
    await expect
      .poll(() => again.output().includes("daily digest already queued"), { timeout: 40_000 })
      .toBe(true);
    expect(mails).toHaveLength(1);
    expect(digests(hook.hits)).toHaveLength(1);
  }, 420_000);
});
