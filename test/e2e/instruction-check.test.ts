/**
 * `POST /api/check` and `vigil check-instruction` on the real agent and the real CLI: a ready work
 * order, one that lacks sections, one from standard input, the audit entry (what was missing, never
 * the text), and the roles (a viewer is refused).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";

const agentToken = "wingman-token-0123456789abcdef";
const viewerToken = "viewer-token-0123456789abcdef";
const ready = `# Rotate the logs
## Deliverables
A logrotate config.
## Success criteria
Logs rotate daily; nothing is lost.
BOUNDARIES: /etc/logrotate.d only
`;
const lacking = `**Deliverables:** a logrotate config\n## Success-Criteria\nTBD\n`;

let agent: RunningAgent;
let env: NodeJS.ProcessEnv;
// The work orders' own folder: the agent's temp dir is removed after the first test.
const orders = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-orders-"));

interface AuditEvent {
  seq: number;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}
const checked = async () =>
  ((await (await api(agent, "/api/audit?tail=200")).json()) as { events: AuditEvent[] }).events.filter(
    (e) => e.type === "instruction.checked",
  );

const post = (instruction: unknown, token = agentToken) =>
  api(agent, "/api/check", {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ instruction }),
  });

beforeAll(async () => {
  agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
auth:
  tokens:
    - { name: wingman, role: agent, token: ${agentToken} }
    - { name: watcher, role: viewer, token: ${viewerToken} }
governance:
  instruction_sections: [DELIVERABLES, SUCCESS_CRITERIA, BOUNDARIES]
`);
  env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agentToken };
  fs.writeFileSync(path.join(orders, "ready.md"), ready);
  fs.writeFileSync(path.join(orders, "lacking.md"), lacking);
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
  fs.rmSync(orders, { recursive: true, force: true });
});

describe("POST /api/check", () => {
  it("answers a ready work order with every section's text, audited under the token's name", async () => {
    const res = await post(ready);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      missing: [],
      empty: [],
      sections: {
        DELIVERABLES: "A logrotate config.",
        SUCCESS_CRITERIA: "Logs rotate daily; nothing is lost.",
        BOUNDARIES: "/etc/logrotate.d only",
      },
    });
    const last = (await checked()).at(-1)!;
    expect(last.actor).toBe("wingman");
    expect(last.payload).toEqual({ ok: true, missing: [], empty: [] });
  });

  it("names what a lacking work order misses and what it leaves empty, and audits only that", async () => {
    const res = await post(lacking);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: false,
      missing: ["BOUNDARIES"],
      empty: ["SUCCESS_CRITERIA"],
    });
    const last = (await checked()).at(-1)!;
    expect(last.payload).toEqual({ ok: false, missing: ["BOUNDARIES"], empty: ["SUCCESS_CRITERIA"] });
    expect(JSON.stringify(last)).not.toContain("logrotate");
  });

  it("refuses a viewer, a missing field and an oversized work order, auditing none", async () => {
    const before = (await checked()).length;
    const viewer = await post(ready, viewerToken);
    expect(viewer.status).toBe(403);
    const missing = await api(agent, "/api/check", {
      method: "POST",
      token: agentToken,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: ready }),
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.message).toMatch(/^instruction: the work order's text/);
    const big = await post("é".repeat(200 * 1024));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await checked()).length).toBe(before);
  });
});

describe("vigil check-instruction", () => {
  it("exits 0 for a ready work order", async () => {
    const r = await runCli(["check-instruction", path.join(orders, "ready.md")], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ the work order has all 3 required sections");
  });

  it("exits 1 naming each missing and empty section with the fix", async () => {
    const r = await runCli(["check-instruction", path.join(orders, "lacking.md")], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("✗ the work order is not ready: 1 missing, 1 empty");
    expect(r.stderr).toContain(
      'missing: BOUNDARIES — add a heading "## BOUNDARIES" or a line "BOUNDARIES: ..."',
    );
    expect(r.stderr).toContain("empty:   SUCCESS_CRITERIA — write what it is under it");
  });

  it("reads standard input with - and prints JSON with --json", async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const main = path.resolve(import.meta.dirname, "../../bin/vigil.js");
      const proc = spawn(process.execPath, [main, "check-instruction", "-", "--json"], {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ["pipe", "pipe", "inherit"],
      });
      let stdout = "";
      proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      proc.on("exit", (code) => resolve({ code, stdout }));
      proc.stdin.end(lacking);
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      missing: ["BOUNDARIES"],
      empty: ["SUCCESS_CRITERIA"],
    });
  });

  it("exits 2 for a file it cannot read, and 1 for a viewer's token", async () => {
    const none = await runCli(["check-instruction", path.join(orders, "no-such.md")], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/cannot read .*no-such\.md \(ENOENT\); give the work order's path, or -/);
    const viewer = await runCli(["check-instruction", path.join(orders, "ready.md")], {
      env: { ...env, VIGIL_TOKEN: viewerToken },
    });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/role/);
  });
});
