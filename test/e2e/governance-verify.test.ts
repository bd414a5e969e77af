/**
 * Claim verification through the real daemon: POST /api/verify and `vigil verify` answer TRUE, FALSE
 * and UNVERIFIABLE from the machine, every verdict lands in the audit log, a FALSE claim reaches a
 * real webhook once per claim text (per hour), and a viewer may not ask.
 */
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { until } from "../helpers/poll.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Told {
  kind: string;
  title: string;
  text: string;
}

function webhook() {
  const got: (Told & { items?: Told[] })[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      got.push(JSON.parse(raw) as Told);
      res.end("ok");
    });
  });
  const port = new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
  );
  /** Every fact told so far: a grouped message tells several. */
  const told = () => got.flatMap((g) => g.items ?? [g]);
  return { told, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let agent: RunningAgent | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await agent?.stop("SIGTERM");
  agent = undefined;
  for (const c of closers.splice(0)) await c();
});

const agentToken = "agent-token-0123456789abcdef";
const viewerToken = "viewer-token-0123456789abcdef";

async function verify(claim: unknown, token = agentToken) {
  const res = await api(agent!, "/api/verify", {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(claim === undefined ? {} : { claim }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("claim verification through the agent", () => {
  it("answers from the machine, audits every verdict, notifies a FALSE claim once, refuses a viewer", async () => {
    const rx = webhook();
    closers.push(rx.close);
    const dir = tempDir("vigil-e2e-verify-");
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "report.txt"), "rows: 12\n");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
auth:
  tokens:
    - { name: claude, role: agent, token: ${agentToken} }
    - { name: watcher, role: viewer, token: ${viewerToken} }
governance: { verify: { paths: [${out}], timeout: 2s } }
notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${await rx.port}/hook" } } }
  routes: [{ to: [hook] }]
  group_wait: 100ms
`,
      { dir },
    );

    const yes = await verify(`Saved the report to ${out}/report.txt and it contains "rows: 12"`);
    expect(yes.status).toBe(200);
    expect(yes.body).toMatchObject({
      verdict: "TRUE",
      claim: `Saved the report to ${out}/report.txt and it contains "rows: 12"`,
    });
    expect(yes.body.checks).toHaveLength(2);

    const lie = `Created file ${out}/summary.txt`;
    for (let i = 0; i < 3; i++) {
      const no = await verify(lie);
      expect(no.status).toBe(200);
      expect(no.body).toMatchObject({
        verdict: "FALSE",
        checks: [{ what: `file ${out}/summary.txt`, observed: "no such file or folder", ok: false }],
      });
    }
    const unsure = await verify("the tests pass");
    expect(unsure.body).toMatchObject({ verdict: "UNVERIFIABLE", evidence: "no check for 'the tests pass'" });
    const outside = await verify("/etc/hostname exists");
    expect(outside.body.verdict).toBe("UNVERIFIABLE");

    // A second, different false claim: once its notice is in, the first one's repeats would be too.
    const marker = `${out}/marker.txt exists`;
    expect((await verify(marker)).body.verdict).toBe("FALSE");
    await until("the marker's notice", async () =>
      rx.told().some((t) => t.text.includes("marker.txt")) ? true : undefined,
    );
    const aboutLie = rx.told().filter((t) => t.kind === "claim.false" && t.text.includes("summary.txt"));
    expect(aboutLie).toHaveLength(1);
    expect(aboutLie[0]!.title).toBe(`False claim by claude: ${lie}`);
    expect(aboutLie[0]!.text).toContain("no such file or folder");
    expect(rx.told().filter((t) => t.kind === "claim.false")).toHaveLength(2);

    const audit = (await (await api(agent, "/api/audit?limit=1000")).json()) as {
      events: { type: string; actor: string; payload: Record<string, unknown> }[];
    };
    const verified = audit.events.filter((e) => e.type === "claim.verified");
    expect(verified.map((e) => e.payload.verdict)).toEqual([
      "TRUE",
      "FALSE",
      "FALSE",
      "FALSE",
      "UNVERIFIABLE",
      "UNVERIFIABLE",
      "FALSE",
    ]);
    expect(
      verified.every((e) => e.actor === "claude" && e.payload.by === "claude" && e.payload.source === "api"),
    ).toBe(true);
    expect(audit.events.filter((e) => e.type === "claim.false")).toHaveLength(2);

    expect((await verify("Port 1 is listening", viewerToken)).status).toBe(403);
    for (const [claim, why] of [
      [undefined, "claim: "],
      ["", "claim: "],
      ["   ", "claim: "],
      ["x".repeat(2_001), "claim: at most 2000"],
    ] as const) {
      const bad = await verify(claim);
      expect(bad.status, String(claim).slice(0, 20)).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: "VALIDATION_FAILED" } });
      expect((bad.body.error as { message: string }).message).toContain(why);
    }
    // What an assistant's hand-written request gets wrong: the answer says where and what to send.
    const raw = async (body: string) => {
      const res = await api(agent!, "/api/verify", {
        method: "POST",
        token: agentToken,
        headers: { "content-type": "application/json" },
        body,
      });
      return {
        status: res.status,
        error: ((await res.json()) as { error: { code: string; message: string } }).error,
      };
    };
    const broken = await raw("{claim: 'nginx is running'}");
    expect(broken.status).toBe(400);
    expect(broken.error.code).toBe("BAD_REQUEST");
    expect(broken.error.message).toMatch(/^body: not valid JSON \(at position 1\b.*\); send one JSON object/);
    expect(broken.error.message).not.toContain("nginx");
    const extra = await raw('{"claim": "nginx is running", "approved": true}');
    expect(extra).toMatchObject({
      status: 400,
      error: { code: "VALIDATION_FAILED", message: 'body: unknown field "approved"; the fields are claim' },
    });
  });

  it("vigil verify exits 0 TRUE, 1 FALSE, 4 UNVERIFIABLE, and prints each check", async () => {
    const dir = tempDir("vigil-e2e-verify-cli-");
    fs.writeFileSync(path.join(dir, "done.txt"), "ok");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }\ngovernance: { verify: { paths: [${dir}] } }\n`,
      { dir },
    );
    const env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };
    const t = await runCli(["verify", `${dir}/done.txt exists`], { env });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`TRUE: ${dir}/done.txt exists`);
    expect(t.stdout).toContain(`✓ file ${dir}/done.txt: expected exists / observed it exists`);
    const f = await runCli(["verify", `Created file ${dir}/nope.txt`], { env });
    expect(f.code).toBe(1);
    expect(f.stdout).toContain(`✗ file ${dir}/nope.txt`);
    const u = await runCli(["verify", "the tests pass", "--json"], { env });
    expect(u.code).toBe(4);
    expect(JSON.parse(u.stdout)).toMatchObject({
      verdict: "UNVERIFIABLE",
      evidence: "no check for 'the tests pass'",
    });
    const bad = await runCli(["verify", ""], { env });
    expect(bad.code).toBe(2);
  });
});
