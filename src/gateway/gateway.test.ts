import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeClock } from "../../test/helpers/clock.ts";
import { finished, gatewayHarness, type Harness } from "../../test/helpers/gateway.ts";
import { freePort } from "../../test/helpers/net.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { isVigilError } from "../core/errors.ts";
import { actionDigest, Capabilities } from "./capability.ts";

const admin = { name: "alice", role: "admin" } as const;
const bob = { name: "bob", role: "operator" } as const;
const claude = { name: "claude", role: "agent" } as const;

const actions = `
  echo:    { run: [printf, "%s", "{msg}"], params: { msg: {} }, risk: auto }
  opt:     { run: [printf, "%s", "{flag}"], params: { flag: { allow_dash: true } }, risk: auto }
  reindex: { run: [printf, "%s", "--table={table}"], params: { table: { enum: [users, jobs] } }, risk: approve }
  scale:   { run: [printf, "%s", "{n}"], params: { n: { type: integer, min: 1, max: 10 } }, risk: auto, agent_auto: true }
  ident:   { run: [printf, "%s", "{id}"], params: { id: { pattern: "[a-z0-9-]{1,20}" } }, risk: auto }
  nuke:    { run: ["true"], risk: deny }
  two:     { run: ["true"], risk: approve, approvals: 2 }
  slow:    { run: [sleep, "30"], risk: auto, timeout: 300ms }
  leak:    { run: [printenv, SECRET_VALUE], env: { SECRET_VALUE: "\${SECRET_VALUE:-hunter2-very-secret}" }, risk: auto }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isVigilError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("gateway: what runs and how", () => {
  it("runs an auto action at once; a parameter is one literal argument; both ends are audited", async () => {
    h = await gatewayHarness(actions);
    const payload = "a; rm -rf / && $(id) `id` | cat > /tmp/x\nnext";
    const out = await h.gateway.request("echo", { params: { msg: payload }, reason: "test" }, admin);
    expect(out.kind).toBe("ran");
    if (out.kind !== "ran") return;
    expect(out.run.status).toBe("succeeded");
    expect(out.run.result?.stdout).toBe(payload);
    expect(out.run.requested_by).toBe("alice");
    const [req] = await h.events("action.requested");
    expect(req).toMatchObject({
      actor: "alice",
      payload: { action: "echo", run_id: out.run.id, risk: "auto" },
    });
    const [fin] = await h.events("action.finished");
    expect(fin?.payload).toMatchObject({ run_id: out.run.id, status: "succeeded", exit_code: 0 });
  });

  it("refuses undeclared parameters, option-looking values, and values outside their schema, naming the field", async () => {
    h = await gatewayHarness(actions);
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "echo",
        { msg: "x", extra: "1" },
        'params.extra: the action "echo" declares no such parameter (declared: msg)',
      ],
      ["echo", {}, 'params.msg: required by the action "echo"; pass msg=<value>'],
      ["echo", { msg: "--output=/etc/x" }, 'params.msg: starts with "-"'],
      ["echo", { msg: "a\0b" }, "params.msg: contains a NUL byte"],
      ["echo", { msg: ["a", "b"] }, "params.msg: must be a string, got an array"],
      ["reindex", { table: "users; drop" }, "params.table: must be one of users, jobs"],
      ["scale", { n: "11" }, "params.n: must be at most 10, got 11"],
      ["scale", { n: "1e3" }, "params.n: must be a whole number"],
      ["ident", { id: "../etc" }, "params.id: must match the pattern"],
    ];
    for (const [action, params, message] of cases) {
      const r = await refusal(h.gateway.request(action, { params, reason: "" }, admin));
      expect(r.code, message).toBe("VALIDATION_FAILED");
      expect(r.message).toContain(message);
    }
    const opt = await h.gateway.request("opt", { params: { flag: "--verbose" }, reason: "" }, admin);
    expect(opt.kind === "ran" && opt.run.result?.stdout).toBe("--verbose");
    expect(await h.events("action.requested")).toHaveLength(1);
  });

  it("never runs a deny action and says why; an unknown action names what exists", async () => {
    h = await gatewayHarness(actions);
    expect(await refusal(h.gateway.request("nuke", { params: {}, reason: "" }, admin))).toEqual({
      code: "FORBIDDEN",
      message: 'the action "nuke" has risk: deny; nothing may run it',
    });
    const unknown = await refusal(h.gateway.request("rm", { params: {}, reason: "" }, admin));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toContain("built in: restart, start, stop");
  });

  it("kills a run at its timeout and records it failed", async () => {
    h = await gatewayHarness(actions);
    const out = await h.gateway.request("slow", { params: {}, reason: "" }, admin);
    expect(out.kind === "ran" && out.run.status).toBe("failed");
    expect(out.kind === "ran" && out.run.result?.timed_out).toBe(true);
  });

  it("redacts secrets from captured output before it is stored or audited", async () => {
    h = await gatewayHarness(actions);
    h.redactor.addSecrets(["hunter2-very-secret"]);
    const out = await h.gateway.request("leak", { params: {}, reason: "" }, admin);
    expect(out.kind === "ran" && out.run.result?.stdout).toBe("[REDACTED]\n");
    expect(JSON.stringify(await h.events("action.finished"))).not.toContain("hunter2");
  });

  it("restart-largest restarts the running service with the most resident memory", async () => {
    h = await gatewayHarness(actions);
    const out = await h.gateway.request(
      "restart-largest",
      { params: {}, reason: "memory", target: "site" },
      bob,
    );
    expect(out.kind === "ran" && out.run.result).toMatchObject({
      ok: true,
      stdout: "restarted api (42 MB resident)",
    });
    expect(h.acted).toEqual(["restart api by bob"]);
  });

  it("runs the built-in restart only for a known service", async () => {
    h = await gatewayHarness(actions);
    const out = await h.gateway.request("restart", { params: {}, reason: "", target: "api" }, bob);
    expect(out.kind === "ran" && out.run.result).toMatchObject({ ok: true, state: "up" });
    expect(h.acted).toEqual(["restart api by bob"]);
    const r = await refusal(h.gateway.request("restart", { params: {}, reason: "", target: "nope" }, bob));
    expect(r.message).toBe('target: "nope" is not a service of this agent');
  });
});

describe("gateway: risk, agents and approvals", () => {
  it("queues what an agent asks for unless the action allows agent_auto", async () => {
    h = await gatewayHarness(actions);
    const queued = await h.gateway.request("echo", { params: { msg: "hi" }, reason: "why" }, claude);
    expect(queued.kind).toBe("queued");
    const auto = await h.gateway.request("scale", { params: { n: 3 }, reason: "" }, claude);
    expect(auto.kind === "ran" && auto.run.result?.stdout).toBe("3");
  });

  it("runs an approve-tier action only after a different person approves", async () => {
    h = await gatewayHarness(actions);
    const q = await h.gateway.request(
      "reindex",
      { params: { table: "users" }, reason: "slow queries" },
      claude,
    );
    if (q.kind !== "queued") throw new Error("expected a queue");
    expect(await h.events("action.requested")).toHaveLength(0);
    const decided = await h.approvals.decide(q.approval.id, bob, "approve", "ok");
    expect(decided.status).toBe("approved");
    const run = await finished(h, decided.run_id!);
    expect(run).toMatchObject({ status: "succeeded", approval_id: q.approval.id, requested_by: "claude" });
    expect(run.result?.stdout).toBe("--table=users");
  });
});

describe("capability tokens", () => {
  async function approvedRow(hh: Harness) {
    const q = await hh.gateway.request("reindex", { params: { table: "jobs" }, reason: "" }, claude);
    if (q.kind !== "queued") throw new Error("expected a queue");
    return q.approval;
  }

  it("refuses a token for other parameters, a replayed token, an expired one and a forged one, each audited", async () => {
    const clock = new FakeClock(Date.now());
    h = await gatewayHarness(actions, { clock });
    const a = await approvedRow(h);
    const good = { approvalId: a.id, digest: actionDigest("reindex", { table: "jobs" }, null) };

    const other = await h.capabilities.mint(
      { ...good, digest: actionDigest("reindex", { table: "users" }, null) },
      60_000,
    );
    expect((await refusal(h.gateway.startApproved(a, other, "bob"))).message).toBe(
      "capability refused: issued for another action, parameters or target",
    );

    const forged = await Capabilities.open(tempDir(), () => clock.now()).mint(good, 60_000);
    expect((await refusal(h.gateway.startApproved(a, forged, "bob"))).message).toBe(
      "capability refused: bad signature",
    );

    const once = await h.capabilities.mint(good, 60_000);
    const id = await h.gateway.startApproved(a, once, "bob");
    expect((await finished(h, id)).status).toBe("succeeded");
    expect((await refusal(h.gateway.startApproved(a, once, "bob"))).message).toBe(
      "capability refused: already used",
    );

    const late = await h.capabilities.mint(good, 60_000);
    await clock.advance(61_000);
    expect((await refusal(h.gateway.startApproved(a, late, "bob"))).message).toBe(
      "capability refused: expired",
    );

    expect((await refusal(h.gateway.startApproved(a, "not.a.jwt", "bob"))).code).toBe("FORBIDDEN");
    const refused = (await h.events("capability.refused")).map((e) => e.payload.reason);
    expect(refused.slice(0, 4)).toEqual([
      "issued for another action, parameters or target",
      "bad signature",
      "already used",
      "expired",
    ]);
    expect((await h.events("action.requested")).length).toBe(1);
  });

  it("keeps the signing key in data_dir with mode 0600 and reuses it across restarts", async () => {
    const dir = tempDir();
    const first = Capabilities.open(dir);
    const token = await first.mint({ approvalId: "a", digest: "d" }, 60_000);
    expect(fs.statSync(path.join(dir, "capability.key")).mode & 0o777).toBe(0o600);
    expect(await Capabilities.open(dir).check(token, { approvalId: "a", digest: "d" })).toMatchObject({
      ok: true,
    });
  });
});

describe("http actions", () => {
  it("puts a parameter into the URL percent-encoded and into the body as JSON string content", async () => {
    const seen: { url: string; body: string; auth: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        seen.push({ url: req.url ?? "", body, auth: req.headers.authorization ?? "" });
        res.end("scaled");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    const closed = await freePort();
    try {
      h = await gatewayHarness(`
  scale: { http: { url: "http://127.0.0.1:${port}/scale/{svc}?x=1", method: POST, headers: { Authorization: "Bearer k" },
           body: '{"service":"{svc}"}' }, params: { svc: {} }, risk: auto }
  down:  { http: { url: "http://127.0.0.1:${closed}/x" }, risk: auto, timeout: 2s }`);
      const value = 'a/../b?y=2&z"},"admin":true,"x":"';
      const out = await h.gateway.request("scale", { params: { svc: value }, reason: "" }, admin);
      expect(out.kind === "ran" && out.run.result).toMatchObject({
        ok: true,
        http_status: 200,
        body: "scaled",
      });
      expect(seen[0]!.url).toBe(`/scale/${encodeURIComponent(value)}?x=1`);
      expect(JSON.parse(seen[0]!.body)).toEqual({ service: value });
      expect(seen[0]!.auth).toBe("Bearer k");
      const down = await h.gateway.request("down", { params: {}, reason: "" }, admin);
      expect(down.kind === "ran" && down.run.result).toMatchObject({
        ok: false,
        http_status: null,
        error: "ECONNREFUSED",
      });
    } finally {
      server.close();
    }
  });
});

describe("cleanup actions", () => {
  it("removes old files under its roots only, never through a symlink; a dry run changes nothing", async () => {
    const root = tempDir("vigil-clean-");
    const outside = tempDir("vigil-outside-");
    const old = Date.now() / 1000 - 10 * 86400;
    const mk = (file: string, mtime = old) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, "x".repeat(100));
      fs.utimesSync(file, mtime, mtime);
    };
    mk(path.join(root, "a.log"));
    mk(path.join(root, "sub/b.log"));
    mk(path.join(root, "keep.txt"));
    mk(path.join(root, "fresh.log"), Date.now() / 1000);
    mk(path.join(outside, "victim.log"));
    fs.symlinkSync(outside, path.join(root, "link-dir"));
    fs.symlinkSync(path.join(outside, "victim.log"), path.join(root, "link.log"));
    h = await gatewayHarness(`
  clean: { cleanup: { paths: ["${root}"], older_than: 7d, pattern: "*.log" }, risk: auto }
  pack:  { cleanup: { paths: ["${root}"], older_than: 7d, compress: true }, risk: auto }`);

    const dry = await h.gateway.request("clean", { params: {}, reason: "", dryRun: true }, admin);
    const listed = dry.kind === "ran" ? dry.run.result?.files?.sort() : [];
    expect(listed).toEqual([path.join(root, "a.log"), path.join(root, "sub/b.log")]);
    expect(fs.existsSync(path.join(root, "a.log"))).toBe(true);

    const real = await h.gateway.request("clean", { params: {}, reason: "" }, admin);
    expect(real.kind === "ran" && real.run.result).toMatchObject({ ok: true, count: 2, bytes: 200 });
    expect(fs.existsSync(path.join(root, "a.log"))).toBe(false);
    expect(fs.existsSync(path.join(root, "fresh.log"))).toBe(true);
    expect(fs.existsSync(path.join(outside, "victim.log"))).toBe(true);
    expect(fs.lstatSync(path.join(root, "link.log")).isSymbolicLink()).toBe(true);

    const packed = await h.gateway.request("pack", { params: {}, reason: "" }, admin);
    expect(packed.kind === "ran" && packed.run.result?.count).toBe(1);
    expect(fs.existsSync(path.join(root, "keep.txt.gz"))).toBe(true);
    expect(fs.existsSync(path.join(root, "keep.txt"))).toBe(false);

    const r = await refusal(
      h.gateway.request("reindex-none", { params: {}, reason: "", dryRun: true }, admin),
    );
    expect(r.code).toBe("NOT_FOUND");
  });
});
