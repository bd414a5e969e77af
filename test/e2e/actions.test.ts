/**
 * The gateway through the real agent: the API and the CLI ask for actions, people approve or reject,
 * and no hostile value ever reaches a shell.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as runCliInProcess } from "../../src/cli/index.ts";
import { injectionCorpus } from "../fixtures/injection-corpus.ts";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

const tokens = {
  vera: "viewer-token-0123456789",
  claude: "agent-token-0123456789",
  olga: "operator-token-0123456789",
  oscar: "operator2-token-0123456789",
};
const config = `agent: { name: gw, listen: 127.0.0.1:0 }
auth:
  tokens:
    - { name: vera, role: viewer, token: ${tokens.vera} }
    - { name: claude, role: agent, token: ${tokens.claude} }
    - { name: olga, role: operator, token: ${tokens.olga} }
    - { name: oscar, role: operator, token: ${tokens.oscar} }
actions:
  echo:    { run: [printf, "%s", "{msg}"], params: { msg: {} }, risk: auto }
  reindex: { run: [printf, "reindexed %s", "{table}"], params: { table: { enum: [users, jobs] } }, risk: approve }
  two:     { run: [printf, done], risk: approve, approvals: 2 }
  nuke:    { run: ["true"], risk: deny }
`;

let agent: RunningAgent;
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join((await import("node:os")).tmpdir(), "vigil-gw-e2e-"));
  agent = await startAgent(config, { dir });
});
afterAll(async () => {
  await agent.stop("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
});

const as = (name: keyof typeof tokens) => tokens[name];
const post = (p: string, token: string, body: unknown) =>
  api(agent, p, {
    method: "POST",
    token,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** Polls a run until it has finished, for up to 10 s. */
async function runOf(id: string) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const res = await api(agent, `/api/actions/runs/${id}`, { token: as("vera") });
    const run = (await res.json()) as { status: string; result: { stdout?: string } | null };
    if (run.status !== "running") return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`run ${id} did not finish`);
}

describe("actions over the API", () => {
  it("an agent's request waits; a viewer cannot decide; an operator approves by token, not by body field", async () => {
    const asked = await post("/api/actions/reindex/run", as("claude"), {
      params: { table: "users" },
      reason: "slow",
    });
    expect(asked.status).toBe(202);
    const { approval_id } = (await asked.json()) as { approval_id: string };

    const pending = (await (
      await api(agent, "/api/approvals?status=pending", { token: as("vera") })
    ).json()) as {
      approvals: { id: string; requested_by: string; assessment: { signals: unknown[] } }[];
    };
    const mine = pending.approvals.find((a) => a.id === approval_id)!;
    expect(mine.requested_by).toBe("claude");
    expect(mine.assessment.signals).toHaveLength(5);

    expect((await post(`/api/approvals/${approval_id}/approve`, as("vera"), {})).status).toBe(403);
    expect((await post(`/api/approvals/${approval_id}/approve`, as("claude"), {})).status).toBe(403);
    const spoof = await post(`/api/approvals/${approval_id}/approve`, as("olga"), { note: "", by: "admin" });
    expect(spoof.status).toBe(400);
    expect(((await spoof.json()) as { error: { message: string } }).error.message).toContain("by");

    const ok = await post(`/api/approvals/${approval_id}/approve`, as("olga"), { note: "go" });
    expect(ok.status).toBe(200);
    const approved = (await ok.json()) as { status: string; run_id: string; decisions: { by: string }[] };
    expect(approved.status).toBe("approved");
    expect(approved.decisions.map((d) => d.by)).toEqual(["olga"]);
    expect((await runOf(approved.run_id)).result?.stdout).toBe("reindexed users");

    const again = await post(`/api/approvals/${approval_id}/reject`, as("oscar"), {});
    expect(again.status).toBe(409);
    const body = (await again.json()) as {
      error: { code: string; details: { approval: { status: string } } };
    };
    expect(body.error.code).toBe("CONFLICT");
    expect(body.error.details.approval.status).toBe("approved");
  });

  it("runs auto actions at once for operators, refuses deny and unknown parameters with clear 4xx", async () => {
    const ran = await post("/api/actions/echo/run", as("olga"), { params: { msg: "hi there" } });
    expect(ran.status).toBe(200);
    expect(((await ran.json()) as { result: { stdout: string } }).result.stdout).toBe("hi there");
    const deny = await post("/api/actions/nuke/run", as("olga"), {});
    expect(deny.status).toBe(403);
    const extra = await post("/api/actions/echo/run", as("olga"), { params: { msg: "a", cmd: "b" } });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error: { message: string } }).error.message).toBe(
      'params.cmd: the action "echo" declares no such parameter (declared: msg)',
    );
    expect((await post("/api/actions/echo/run", as("vera"), { params: { msg: "x" } })).status).toBe(403);
  });
});

describe("actions from the CLI", () => {
  const env = (who: keyof typeof tokens) => ({ VIGIL_URL: agent.url, VIGIL_TOKEN: tokens[who] });

  it("run, approvals, approve and reject, as a person would type them", async () => {
    const direct = await runCli(["run", "echo", "msg=hello world"], { env: env("olga") });
    expect(direct.code).toBe(0);
    expect(direct.stdout).toContain("echo: succeeded");
    expect(direct.stdout).toContain("hello world");

    const queued = await runCli(["run", "two", "--reason", "deploy"], { env: env("claude") });
    expect(queued.code).toBe(0);
    const id = /id ([0-9a-f-]{36})/.exec(queued.stdout)![1]!;
    const list = await runCli(["approvals"], { env: env("vera") });
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+two\\s+-\\s+-\\s+claude\\s+pending\\s+0/2`));
    // What is asked, by whom, how risky and how long it has waited.
    expect(list.stdout.split("\n")[0]).toMatch(
      /^ID\s+ACTION\s+PARAMS\s+TARGET\s+BY\s+STATUS\s+APPROVED\s+RISK\s+EXPIRES\s+ASKED$/,
    );
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+two\\s.*\\s(low|medium|high)\\s+\\d+m\\s+\\d+s ago\\n`));

    const first = await runCli(["approve", id, "--note", "ok"], { env: env("olga") });
    expect(first.stdout).toContain("1 more approval needed");
    const twice = await runCli(["approve", id], { env: env("olga") });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("olga already decided this request");
    const second = await runCli(["approve", id], { env: env("oscar") });
    expect(second.stdout).toContain("approved; two started as run");

    const q2 = await runCli(["run", "reindex", "table=jobs", "--json"], { env: env("claude") });
    const id2 = (JSON.parse(q2.stdout) as { approval_id: string }).approval_id;
    const rejected = await runCli(["reject", id2, "--note", "not today"], { env: env("oscar") });
    expect(rejected.stdout).toContain(`${id2}: rejected`);

    const bad = await runCli(["run", "echo", "oops"], { env: env("olga") });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("parameters are key=value");
  });
});

describe("injection corpus", () => {
  const canaryDir = () => tempDir("vigil-canary-");

  it("has at least 200 payloads", () => {
    expect(injectionCorpus("/x").length).toBeGreaterThanOrEqual(200);
  });

  it("through the API: each payload is refused with a 400 naming the field, or reaches the program as one literal argument", async () => {
    const canary = path.join(canaryDir(), "canary");
    for (const p of injectionCorpus(canary)) {
      const res = await post("/api/actions/echo/run", as("olga"), { params: { msg: p.value } });
      const body = (await res.json()) as {
        result?: { stdout: string };
        error?: { code: string; message: string };
      };
      if (p.refused) {
        expect(res.status, JSON.stringify(p.value)).toBe(400);
        expect(body.error?.message).toMatch(/^params\.msg: /);
      } else {
        expect(res.status, JSON.stringify(p.value)).toBe(200);
        expect(body.result?.stdout, JSON.stringify(p.value)).toBe(p.value);
      }
    }
    expect(fs.existsSync(canary)).toBe(false);
  });

  it("through the CLI: the same payloads as key=value words", async () => {
    const canary = path.join(canaryDir(), "canary");
    const env = { VIGIL_URL: agent.url, VIGIL_TOKEN: tokens.olga };
    for (const p of injectionCorpus(canary)) {
      let out = "";
      const code = await runCliInProcess(
        ["run", "echo", `msg=${p.value}`, "--json"],
        { out: (t) => (out += t), err: (t) => (out += t) },
        env,
      );
      const body = JSON.parse(out) as { result?: { stdout: string }; error?: { code: string } };
      if (p.refused) {
        expect(code, JSON.stringify(p.value)).toBe(2);
        expect(body.error?.code).toBe("VALIDATION_FAILED");
      } else {
        expect(code, JSON.stringify(p.value)).toBe(0);
        expect(body.result?.stdout, JSON.stringify(p.value)).toBe(p.value);
      }
    }
    // And a sample through a real `vigil` process, where the words come from a real argv.
    for (const p of injectionCorpus(canary)
      .filter((x) => !x.value.includes("\0"))
      .slice(0, 12)) {
      const r = await runCli(["run", "echo", `msg=${p.value}`, "--json"], { env });
      expect(r.code, JSON.stringify(p.value)).toBe(p.refused ? 2 : 0);
      if (!p.refused)
        expect((JSON.parse(r.stdout) as { result: { stdout: string } }).result.stdout).toBe(p.value);
    }
    expect(fs.existsSync(canary)).toBe(false);
  });
});
