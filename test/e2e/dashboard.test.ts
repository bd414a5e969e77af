/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * agent: log in, see every target, watch a killed service go down and come back without a reload,
 * approve a pending action and see it run, flip the kill switch, and be refused a write without
 * the CSRF header. A second agent with 1,000 targets measures how long the list takes to render
 * (printed, not asserted: speed is for people to read, not for a test to flake on).
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import {
  collectProblems,
  ensureDashboardBuilt,
  haveChromium,
  launchBrowser,
  logIn,
  noChromium,
} from "../helpers/browser.ts";
import { freePort } from "../helpers/net.ts";

const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");
const tokens = {
  vera: "viewer-token-0123456789",
  claude: "agent-token-0123456789",
  olga: "operator-token-0123456789",
};

/** What a function run in the page reads; this file is type-checked without the DOM's types. */
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
}

if (!haveChromium) console.warn(`dashboard browser tests ${noChromium}`);
const suite = haveChromium ? describe : describe.skip;

let browser: Browser;
let agent: RunningAgent;
let dir: string;

beforeAll(async () => {
  if (!haveChromium) return;
  ensureDashboardBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-dashboard-e2e-"));
  const port = await freePort();
  agent = await startAgent(
    `agent: { name: dash, listen: "127.0.0.1:0" }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${tokens.vera} }
    - { name: claude, role: agent, token: ${tokens.claude} }
    - { name: olga, role: operator, token: ${tokens.olga} }
services:
  web:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}" }
    port: ${port}
    # A kill within min_uptime is a quick crash: 2 s of backoff, so the page shows the service down.
    restart: { backoff: { initial: 2s, max: 2s }, min_uptime: 5m, max_restarts: 10, window: 1m }
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 250ms, timeout: 200ms, fail_after: 2 }
checks:
  web-port: { tcp: { host: 127.0.0.1, port: ${port} }, every: 1s }
  nightly: { heartbeat: { within: 26h } }
actions:
  announce:
    run: ["printf", "announced: %s", "{text}"]
    params: { text: { pattern: "[A-Za-z0-9 ]{1,40}" } }
    risk: approve
`,
    { dir },
  );
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await agent?.stop("SIGTERM");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

suite("the dashboard", () => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    problems = collectProblems(page);
  });
  afterAll(async () => {
    await context?.close();
  });

  it("is served by the agent with no request to anywhere else", async () => {
    const hosts = new Set<string>();
    page.on("request", (r) => hosts.add(new URL(r.url()).host));
    const res = await page.goto(`${agent.url}/`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector("#token");
    expect([...hosts].filter((h) => !h.startsWith("127.0.0.1"))).toEqual([]);
  });

  it("refuses a wrong token and logs in with a right one into an HttpOnly, SameSite=Strict session", async () => {
    await page.fill("#token", "not-a-real-token-0123456789");
    await page.click("button[type=submit]");
    await expect.poll(() => page.textContent("[role=alert]")).toMatch(/not known/);
    expect(await context.cookies()).toEqual([]);

    await logIn(page, tokens.olga, "olga");
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "vigil_session", httpOnly: true, sameSite: "Strict", path: "/" });
    // A script on the page cannot read the session.
    expect(await page.evaluate("document.cookie")).not.toContain("vigil_session");
  });

  it("shows every target with its state", async () => {
    await page.waitForSelector("tr[data-target=web][data-state=up]", { timeout: 15_000 });
    const rows = await page.locator("tbody tr[data-target]").all();
    const names = await Promise.all(rows.map((r) => r.getAttribute("data-target")));
    expect(names.sort()).toEqual(["nightly", "web", "web-port"]);
  });

  it("shows a killed service down and then up again, live, without reloading the page", async () => {
    // A reload or a navigation would drop this marker; `load` events would count it.
    await page.evaluate("window.marker = 42");
    let loads = 0;
    page.on("load", () => loads++);
    const before = (await (await api(agent, "/api/targets/web")).json()) as { pid: number };
    process.kill(before.pid, "SIGKILL");
    await page.waitForSelector("tr[data-target=web][data-state=down]", { timeout: 10_000 });
    await page.waitForSelector("tr[data-target=web][data-state=up]", { timeout: 20_000 });
    expect(await page.evaluate("window.marker")).toBe(42);
    expect(loads).toBe(0);
    const restarts = await page.textContent("tr[data-target=web] td:last-child");
    expect(Number(restarts)).toBeGreaterThanOrEqual(1);
  });

  it("approves a pending action with the button and shows its run", async () => {
    const asked = await api(agent, "/api/actions/announce/run", {
      method: "POST",
      token: tokens.claude,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ params: { text: "hello from the browser" }, reason: "e2e" }),
    });
    expect(asked.status).toBe(202);
    const { approval_id } = (await asked.json()) as { approval_id: string };
    await page.click("header nav a[href='/approvals']");
    const pending = `li[data-approval='${approval_id}']`;
    await page.waitForSelector(`${pending} button.approve`);
    await page.click(`${pending} button.approve`);
    const run = `tr[data-approval='${approval_id}'] [data-run-status=succeeded]`;
    await page.waitForSelector(run, { timeout: 15_000 });
    expect(await page.textContent(run)).toContain("announced: hello from the browser");
    const approval = (await (await api(agent, `/api/approvals/${approval_id}`)).json()) as {
      status: string;
      decisions: { by: string }[];
    };
    expect(approval.status).toBe("approved");
    expect(approval.decisions.map((d) => d.by)).toEqual(["olga"]);
  });

  it("toggles the kill switch, and /health agrees", async () => {
    await page.click(".pause-toggle");
    await page.waitForSelector(".pause-state[data-paused=true]");
    expect(((await (await fetch(`${agent.url}/health`)).json()) as { paused: boolean }).paused).toBe(true);
    await page.click(".pause-toggle");
    await page.waitForSelector(".pause-state[data-paused=false]");
    expect(((await (await fetch(`${agent.url}/health`)).json()) as { paused: boolean }).paused).toBe(false);
  });

  it("refuses a cookie-authenticated write without the CSRF header", async () => {
    const fromPage = await page.evaluate(async () => {
      const res = await fetch("/api/pause", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return { status: res.status, body: await res.text() };
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body).toContain("X-CSRF-Token");
    const [cookie] = await context.cookies();
    const direct = await fetch(`${agent.url}/api/resume`, {
      method: "POST",
      headers: { cookie: `vigil_session=${cookie!.value}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(direct.status).toBe(403);
    expect(((await (await fetch(`${agent.url}/health`)).json()) as { paused: boolean }).paused).toBe(false);
  });

  it("opens a target's page and its incidents, audit, actions and fleet pages without errors", async () => {
    await page.click("header nav a[href='/targets']");
    await page.click("tr[data-target=web] a");
    await page.waitForSelector("section.target[data-target=web]");
    await page.click("header nav a[href='/incidents']");
    await page.waitForSelector("li[data-incident]");
    // The link an incident message carries lands on that incident, its timeline open.
    const id = await page.getAttribute("li[data-incident]", "data-incident");
    await page.goto(`${agent.url}/incidents/${id}`);
    await page.waitForSelector(`li[data-incident='${id}'] ol.timeline li`);
    await page.click("header nav a[href='/audit']");
    await page.waitForSelector(".verify[data-verified=true]");
    await page.click("header nav a[href='/actions']");
    await page.waitForSelector("table.runs tr[data-run-status=succeeded]");
    await page.click("header nav a[href='/fleet']");
    await page.waitForSelector("tr[data-agent=dash][data-state=alive]");
    // The fleet read, of one agent: the targets page has no "all agents" toggle (a fleet's is in
    // test/e2e/dashboard-fleet.test.ts).
    await page.click("header nav a[href='/targets']");
    await page.waitForSelector("tr[data-target=web]");
    expect(await page.locator("input[name=all-agents]").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("logs out: the session is gone", async () => {
    await page.click("header button:has-text('Log out')");
    await page.waitForSelector("#token");
    const res = await page.evaluate(async () => (await fetch("/api/session")).status);
    expect(res).toBe(401);
  });
});

suite("the dashboard at 1,000 targets", () => {
  let big: RunningAgent | undefined;
  let server: net.Server | undefined;
  let bigDir: string | undefined;
  afterAll(async () => {
    await big?.stop("SIGTERM");
    server?.close();
    if (bigDir) fs.rmSync(bigDir, { recursive: true, force: true });
  });

  it("renders every row (time printed)", async () => {
    server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const checks = Array.from(
      { length: 1_000 },
      (_, i) => `  c${String(i).padStart(4, "0")}: { tcp: { host: 127.0.0.1, port: ${port} }, every: 30s }`,
    );
    bigDir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-dashboard-1k-"));
    big = await startAgent(`agent: { name: big, listen: "127.0.0.1:0" }\nchecks:\n${checks.join("\n")}\n`, {
      dir: bigDir,
      timeoutMs: 60_000,
    });
    const t0 = performance.now();
    const overview = await api(big, "/api/overview", { headers: { "accept-encoding": "gzip" } });
    // fetch() undoes the gzip; the header says it was sent compressed.
    const json = Buffer.from(await overview.arrayBuffer());
    const overviewMs = performance.now() - t0;
    expect(overview.headers.get("content-encoding")).toBe("gzip");

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = collectProblems(page);
    await page.goto(`${big.url}/`);
    await page.fill("#token", big.token);
    const allRows = () =>
      // A function, not a string: the page's CSP forbids eval. It runs in the page, hence the cast.
      page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobals).document.querySelectorAll("tbody tr[data-target]").length ===
            1000 && performance.now(),
        undefined,
        { polling: "raf", timeout: 30_000 },
      );
    // In the page's own clock: from the login click to 1,000 rows in the DOM (login, session,
    // overview, render), then a fresh open of the page with the session cookie (navigation start = 0).
    const clicked = await page.evaluate(() => performance.now());
    await page.click("button[type=submit]");
    const afterLogin = (await (await allRows()).jsonValue()) as number;
    await page.reload();
    const afterOpen = (await (await allRows()).jsonValue()) as number;
    // A string runs in the page (this file has no DOM types); evaluate, unlike polling, is not eval.
    const overviewArrived = await page.evaluate<number>(
      'performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/api/overview")).at(-1)?.responseEnd ?? 0',
    );
    const timing = {
      targets: 1_000,
      overview_request_ms: Math.round(overviewMs),
      overview_json_bytes: json.length,
      overview_gzip_bytes: gzipSync(json).length,
      login_click_to_1000_rows_ms: Math.round(afterLogin - clicked),
      page_open_to_1000_rows_ms: Math.round(afterOpen),
      overview_received_to_1000_rows_ms: Math.round(afterOpen - overviewArrived),
    };
    console.log(`dashboard at 1,000 targets: ${JSON.stringify(timing)}`);
    expect(await page.locator("tbody tr[data-target]").count()).toBe(1_000);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
