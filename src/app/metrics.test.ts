/**
 * The metrics as the app wires them, in-process: a reload re-declares the series and applies
 * `agent.metrics_auth` at once. (That a stopped agent leaves no timer behind is proved by the real
 * process exiting on its own: test/e2e/metrics.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./app.ts";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

const silent = { write: () => true };

function config(dir: string, extra: string) {
  return `agent: { listen: "127.0.0.1:0", data_dir: "${dir}/.vigil" }
notify:
  channels: { ops: { webhook: { url: "http://127.0.0.1:9/never" } } }
checks:
  keep: { command: { run: ["true"] }, every: 200ms }
${extra}`;
}

describe("metrics in the app", () => {
  it("a reload drops removed targets, adds new ones at zero, and applies metrics_auth", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-metrics-app-"));
    dirs.push(dir);
    const file = path.join(dir, "vigil.yaml");
    fs.writeFileSync(file, config(dir, `  gone: { command: { run: ["false"] }, every: 200ms }\n`));
    const app = await App.load({ configFile: file, logDestination: silent });
    await app.start();
    try {
      const scrape = async (token?: string) => {
        const res = await fetch(`${app.url}/metrics`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        return { status: res.status, text: await res.text() };
      };
      // A scrape within a second of the last render gets that render: poll past it.
      await expect
        .poll(async () => (await scrape()).text, { timeout: 10_000 })
        .toMatch(/vigil_check_results_total\{target="gone",outcome="failed"\} [1-9]/);
      expect((await scrape()).text).toContain('vigil_notifications_total{channel="ops",outcome="sent"} 0');

      fs.writeFileSync(
        file,
        config(dir, `  added: { command: { run: ["true"] }, every: 1h }\n`).replace(
          "agent: {",
          "agent: { metrics_auth: true,",
        ),
      );
      expect(await app.reload()).toEqual({ ok: true });
      expect((await scrape()).status).toBe(401);
      const admin = fs.readFileSync(path.join(dir, ".vigil/admin.token"), "utf8").trim();
      const after = await scrape(admin);
      expect(after.status).toBe(200);
      expect(after.text).not.toContain('target="gone"');
      expect(after.text).toContain('vigil_check_results_total{target="keep",outcome="ok"}');
      expect(after.text).toMatch(/vigil_check_results_total\{target="added",outcome="ok"\} [01]/);
    } finally {
      await app.stop("test");
    }
  });
});
