/**
 * The dashboard of a fleet in a real browser (Debian's Chromium through playwright-core): two real
 * agents on one PostgreSQL schema. Agent a's fleet page shows both alive, a as this agent; its
 * targets page's "all agents" toggle lists b's check with b's name; and when b is killed, both show
 * it dead without a reload (the fleet page re-reads `/api/fleet`, b's state being no event of a's).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../helpers/agent.ts";
import {
  collectProblems,
  ensureDashboardBuilt,
  haveChromium,
  launchBrowser,
  logIn,
  noChromium,
} from "../helpers/browser.ts";
import { pgAdmin, testSchema } from "../helpers/postgres.ts";

const viewer = "viewer-token-0123456789";
const schema = testSchema("vigil_dashboard_fleet");
const agents: RunningAgent[] = [];

const config = (name: string, run: string) =>
  `agent: { name: ${name}, listen: "127.0.0.1:0", store: "${schema.url()}", lease: 1s }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${viewer} }
checks:
  ${name}-check: { command: { run: ["${run}"] }, every: 500ms, fail_after: 1 }
`;

if (!haveChromium) console.warn(`dashboard fleet browser tests ${noChromium}`);
const suite = haveChromium ? describe : describe.skip;

let browser: Browser;
let a: RunningAgent;
let b: RunningAgent;

beforeAll(async () => {
  if (!haveChromium) return;
  ensureDashboardBuilt();
  await pgAdmin(`CREATE SCHEMA ${schema.name}`);
  // A start is slow on a loaded machine: each agent gets a minute.
  a = await startAgent(config("a", "true"), { timeoutMs: 60_000 });
  agents.push(a);
  b = await startAgent(config("b", "false"), { timeoutMs: 60_000 });
  agents.push(b);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(agents.map((x) => x.stop("SIGTERM")));
  if (haveChromium) await pgAdmin(`DROP SCHEMA ${schema.name} CASCADE`);
}, 60_000);

suite("the dashboard of a fleet", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    problems = collectProblems(page);
    await page.goto(`${a.url}/`);
    await logIn(page, viewer, "vera");
  });
  afterAll(async () => {
    await context?.close();
  });

  it("shows both agents alive on the fleet page, a as this agent", async () => {
    await page.click("header nav a[href='/fleet']");
    await page.waitForSelector("tr[data-agent=a][data-state=alive]");
    await page.waitForSelector("tr[data-agent=b][data-state=alive]");
    expect(await page.textContent("tr[data-agent=a]")).toContain("(this agent)");
    expect(await page.textContent("tr[data-agent=b]")).not.toContain("(this agent)");
  });

  it("lists b's check with b's name when all agents are shown, and only a's otherwise", async () => {
    await page.click("header nav a[href='/targets']");
    await page.waitForSelector("tr[data-target=a-check]");
    expect(await page.locator("tbody tr[data-target]").count()).toBe(1);
    await page.check("input[name=all-agents]");
    await page.waitForSelector("tr[data-target=b-check][data-agent=b][data-state=down]", { timeout: 15_000 });
    expect(await page.textContent("tr[data-target=b-check] td.agent")).toBe("b");
    expect(await page.getAttribute("tr[data-target=a-check]", "data-agent")).toBe("a");
    // b's check has no page on a's dashboard: only a's own targets link to theirs.
    expect(await page.locator("tr[data-target=b-check] a").count()).toBe(0);
    expect(await page.locator("tr[data-target=a-check] a").count()).toBe(1);
  });

  it("shows b dead once it is killed, on both pages, without a reload", async () => {
    await page.evaluate("window.marker = 42");
    await b.stop("SIGKILL");
    await page.waitForSelector("tr[data-target=b-check] td.agent .badge:has-text('dead')", {
      timeout: 15_000,
    });
    await page.click("header nav a[href='/fleet']");
    await page.waitForSelector("tr[data-agent=b][data-state=dead]", { timeout: 15_000 });
    await page.waitForSelector("tr[data-agent=a][data-state=alive]");
    expect(await page.evaluate("window.marker")).toBe(42);
    expect(problems).toEqual([]);
  });
});
