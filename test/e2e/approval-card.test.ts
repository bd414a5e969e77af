/**
 * Approvals a person can judge, through the real agent: two requests waiting fail an `approvals`
 * check and open an incident; the API lists each request with its risk signals, description,
 * redacted parameters and, for the caller, whether they may decide it or why not, and refuses a
 * decision by the requester; the dashboard (Debian's Chromium) shows the same card, with Approve
 * only for an operator who did not ask, and the check recovers once one is decided.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import {
  collectProblems,
  ensureDashboardBuilt,
  haveChromium,
  launchBrowser,
  logIn,
  noChromium,
} from "../helpers/browser.ts";
import { until } from "../helpers/poll.ts";

const tokens = {
  vera: "viewer-token-0123456789",
  claude: "agent-token-0123456789",
  olga: "operator-token-0123456789",
  oscar: "operator2-token-0123456789",
};
const secret = "hunter2-very-secret-value";

interface Card {
  id: string;
  requested_by: string;
  description: string | null;
  params: Record<string, string>;
  assessment: { level: string; signals: { signal: string; level: string; reason: string }[] };
  can_decide: boolean;
  why_not: string | null;
}

let agent: RunningAgent;
/** The agent's folder, kept for the whole file (a test's tempDir goes after each test). */
let dir: string;
/** The two requests: olga's own, and the agent claude's. */
const asked: { olga?: string; claude?: string } = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-approval-card-"));
  agent = await startAgent(
    `agent: { name: cards, listen: "127.0.0.1:0" }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${tokens.vera} }
    - { name: claude, role: agent, token: ${tokens.claude} }
    - { name: olga, role: operator, token: ${tokens.olga} }
    - { name: oscar, role: operator, token: ${tokens.oscar} }
checks:
  approvals-waiting: { approvals: {}, expect: ["[PENDING] < 2"], every: 250ms, fail_after: 1 }
actions:
  rotate-key:
    description: Rotates the API signing key; every session signs in again.
    run: [printf, "rotated %s", "{service}", "{password}"]
    params: { service: { enum: [api, web] }, password: { secret: true } }
    risk: approve
`,
    { dir },
  );
}, 30_000);

afterAll(async () => {
  expect(await stopCleanly(agent)).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const ask = async (who: "olga" | "claude", service: string) => {
  const res = await api(agent, "/api/actions/rotate-key/run", {
    method: "POST",
    token: tokens[who],
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ params: { service, password: secret }, reason: `${who} asks` }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { approval_id: string }).approval_id;
};

const cardsFor = async (who: keyof typeof tokens) => {
  const res = await api(agent, "/api/approvals?status=pending", { token: tokens[who] });
  const text = await res.text();
  expect(text).not.toContain(secret);
  const { approvals } = JSON.parse(text) as { approvals: Card[] };
  return new Map(approvals.map((a) => [a.requested_by, a]));
};

const target = async () =>
  (await (await api(agent, "/api/targets/approvals-waiting")).json()) as {
    state: string;
    last_result: { explanation: string } | null;
  };

describe("the approval queue as a check", () => {
  it("two pending requests fail [PENDING] < 2 and open an incident", async () => {
    await until("the check up with an empty queue", async () =>
      (await target()).state === "up" ? true : undefined,
    );
    asked.olga = await ask("olga", "api");
    asked.claude = await ask("claude", "web");
    const down = await until("the check down", async () => {
      const t = await target();
      return t.state === "down" ? t : undefined;
    });
    expect(down.last_result?.explanation).toContain("[PENDING] (2) < 2");
    const incident = await until("an incident for approvals-waiting", async () => {
      const r = (await (await api(agent, "/api/incidents?status=open")).json()) as {
        incidents: { target: string; status: string }[];
      };
      return r.incidents.find((i) => i.target === "approvals-waiting");
    });
    expect(incident.status).toBe("open");
  });
});

describe("an approval card over the API", () => {
  it("carries the risk signals, the description and redacted parameters", async () => {
    const card = (await cardsFor("oscar")).get("olga")!;
    expect(card.description).toBe("Rotates the API signing key; every session signs in again.");
    expect(card.params).toEqual({ service: "api", password: "[REDACTED]" });
    expect(card.assessment.signals.map((s) => s.signal)).toEqual([
      "declared_risk",
      "blast_radius",
      "success_rate",
      "last_run",
      "time_of_day",
    ]);
    expect(card.assessment.signals[0]).toEqual({
      signal: "declared_risk",
      level: "high",
      reason: "the action is declared risk: approve",
    });
  });

  it("says who may decide, and why not; the API refuses the requester the same way", async () => {
    const verdict = (c: Card | undefined) => ({ can_decide: c?.can_decide, why_not: c?.why_not });
    const olga = await cardsFor("olga");
    expect(verdict(olga.get("olga"))).toEqual({
      can_decide: false,
      why_not: "you requested this: another operator must approve",
    });
    expect(verdict(olga.get("claude"))).toEqual({ can_decide: true, why_not: null });
    const oscar = await cardsFor("oscar");
    expect(verdict(oscar.get("olga"))).toEqual({ can_decide: true, why_not: null });
    for (const [who, role] of [
      ["vera", "viewer"],
      ["claude", "agent"],
    ] as const) {
      const cards = await cardsFor(who);
      for (const c of cards.values())
        expect(verdict(c)).toEqual({
          can_decide: false,
          why_not: `${role}s cannot decide: an operator or an admin must`,
        });
    }
    const one = await api(agent, `/api/approvals/${asked.olga}`, { token: tokens.olga });
    expect(verdict((await one.json()) as Card)).toEqual(verdict(olga.get("olga")));

    const self = await api(agent, `/api/approvals/${asked.olga}/approve`, {
      method: "POST",
      token: tokens.olga,
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: { message: string } }).error.message).toBe(
      "olga asked for this run and cannot decide it; another person must",
    );
  });
});

if (!haveChromium) console.warn(`approval card browser tests ${noChromium}`);
const suite = haveChromium ? describe : describe.skip;

suite("the approval card in the dashboard", () => {
  let browser: Browser;
  beforeAll(async () => {
    ensureDashboardBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** A logged-in page on /approvals, and the problems its console reports. */
  const approvalsAs = async (who: "olga" | "vera" | "oscar") => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(`${agent.url}/`);
    await logIn(page, tokens[who], who);
    await page.click("header nav a[href='/approvals']");
    await page.waitForSelector(`li[data-approval='${asked.olga}']`);
    return { context, page, problems };
  };

  it("shows the risk signals and no Approve for the requester or a viewer; another operator approves", async () => {
    const mine = `li[data-approval='${asked.olga}']`;
    const theirs = `li[data-approval='${asked.claude}']`;

    const olga = await approvalsAs("olga");
    expect(await olga.page.locator(`${mine} li[data-signal]`).count()).toBe(5);
    expect(await olga.page.textContent(`${mine} li[data-signal=declared_risk]`)).toContain(
      "the action is declared risk: approve",
    );
    expect(await olga.page.textContent(`${mine} .description`)).toBe(
      "Rotates the API signing key; every session signs in again.",
    );
    expect(await olga.page.textContent(`${mine} .params`)).toContain("[REDACTED]");
    expect(await olga.page.content()).not.toContain(secret);
    expect(await olga.page.locator(`${mine} button.approve`).count()).toBe(0);
    expect(await olga.page.textContent(`${mine} .why-not`)).toBe(
      "you requested this: another operator must approve",
    );
    await olga.page.waitForSelector(`${theirs} button.approve`);
    expect(olga.problems).toEqual([]);
    await olga.context.close();

    const vera = await approvalsAs("vera");
    await vera.page.waitForSelector(`${theirs} .why-not`);
    expect(await vera.page.locator("button.approve").count()).toBe(0);
    expect(await vera.page.textContent(`${mine} .why-not`)).toBe(
      "viewers cannot decide: an operator or an admin must",
    );
    expect(await vera.page.locator(`${theirs} li[data-signal]`).count()).toBe(5);
    await vera.context.close();

    const oscar = await approvalsAs("oscar");
    await oscar.page.click(`${mine} button.approve`);
    await oscar.page.waitForSelector(`tr[data-approval='${asked.olga}'] [data-run-status=succeeded]`, {
      timeout: 15_000,
    });
    expect(oscar.problems).toEqual([]);
    await oscar.context.close();
    const decided = (await (await api(agent, `/api/approvals/${asked.olga}`)).json()) as {
      status: string;
      decisions: { by: string }[];
    };
    expect(decided).toMatchObject({ status: "approved", decisions: [{ by: "oscar" }] });
  }, 60_000);

  it("one decided, one waits: the check holds again and its incident resolves", async () => {
    await until("the check up", async () => ((await target()).state === "up" ? true : undefined));
    const r = (await (await api(agent, "/api/incidents?status=open")).json()) as {
      incidents: { target: string }[];
    };
    expect(r.incidents.filter((i) => i.target === "approvals-waiting")).toEqual([]);
  });
});
