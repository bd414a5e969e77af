/**
 * A real browser for the dashboard's tests: Debian's Chromium driven by playwright-core. Never a
 * browser download: without /usr/bin/chromium the suites skip and say how to install it.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";
export const haveChromium = fs.existsSync(chromiumPath);
export const noChromium = `skipped: ${chromiumPath} is missing; install it with \`apt-get install -y chromium\` (.ci/run does)`;

const root = path.resolve(import.meta.dirname, "../..");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Builds the dashboard when web/ changed since the last build, so a test never runs a stale one. */
export function ensureDashboardBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(root, "scripts/build-web.ts"), "--if-stale"], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`building the dashboard failed:\n${r.stdout}${r.stderr}`);
}

/** Console errors and page errors, except the 401s a logged-out page is expected to get. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/Failed to load resource: .* 40[13]/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  return problems;
}

/** Fills the login form and waits until the app shows who is logged in. */
export async function logIn(page: Page, token: string, name: string): Promise<void> {
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForSelector(`.me:has-text("${name}")`);
}
