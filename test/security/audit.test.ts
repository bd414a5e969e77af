/**
 * An audit log that cannot be quietly shortened or rewritten, against the real agent and CLI: rows cut
 * off the end, a database emptied to zero bytes, a row edited with every hash after it recomputed,
 * a row edited without. Each is named by `vigil audit verify` (offline and through the agent) and
 * stops the next start, until `--accept-audit-reset` starts a new chain whose first event says
 * what was found. The head (the anchor) goes out with every notification and in /metrics.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GENESIS, rowHash } from "../../src/audit/chain.ts";
import { SqliteDb } from "../../src/store/sqlite/db.ts";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = path.resolve(import.meta.dirname, "../..");
const base = (extra = "") => `agent: { name: audit-sec, listen: 127.0.0.1:0 }\n${extra}`;

/** An agent start from sources takes seconds on a busy machine, and some tests start three. */
const slow = { timeout: 90_000 };

const agents: RunningAgent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await stopCleanly(a);
});

async function start(yaml = base(), dir?: string): Promise<RunningAgent> {
  const a = await startAgent(yaml, dir ? { dir } : {});
  agents.push(a);
  return a;
}

/** `vigil up --accept-audit-reset` in `dir`, until it says it is up. */
async function startAcceptingReset(dir: string): Promise<RunningAgent> {
  const configFile = path.join(dir, "vigil.yaml");
  const proc = spawn(
    process.execPath,
    [path.join(root, "bin/vigil.js"), "up", "-c", configFile, "--accept-audit-reset"],
    {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.on("exit", (code, signal) => r({ code, signal })),
  );
  let url: string | undefined;
  for (const deadline = Date.now() + 15_000; !url; await sleep(25)) {
    url = /agent up at (http:\/\/\S+?) /.exec(out)?.[1];
    if (!url && (proc.exitCode !== null || Date.now() > deadline)) {
      proc.kill("SIGKILL");
      throw new Error(`agent did not start (exit ${proc.exitCode}):\n${out}`);
    }
  }
  const a: RunningAgent = {
    url,
    dir,
    configFile,
    token: fs.readFileSync(path.join(dir, ".vigil/admin.token"), "utf8").trim(),
    proc,
    output: () => out,
    stop: (signal = "SIGTERM") => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
  agents.push(a);
  return a;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await what()); await sleep(25)) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
  }
}

const dbFile = (a: RunningAgent) => path.join(a.dir, ".vigil/vigil.db");
const cliEnv = (a: RunningAgent) => ({ VIGIL_URL: a.url, VIGIL_TOKEN: a.token });

/** Events for the chain: each pause and resume is one. */
async function someEvents(a: RunningAgent, pairs: number): Promise<void> {
  for (let i = 0; i < pairs; i++) {
    for (const verb of ["pause", "resume"]) {
      const res = await api(a, `/api/${verb}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ reason: `drill ${i}` }),
      });
      expect(res.status).toBe(200);
    }
  }
}

/** What an attacker with the database file does: lift the append-only triggers, then change rows. */
async function tamper(file: string, fn: (db: SqliteDb) => Promise<void>): Promise<void> {
  const db = new SqliteDb(file);
  await db.exec(
    "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete;",
  );
  await fn(db);
  await db.close();
}

async function maxSeq(file: string): Promise<number> {
  const db = new SqliteDb(file);
  const row = await db.get<{ n: number }>("SELECT MAX(seq) AS n FROM audit_events");
  await db.close();
  return Number(row?.n ?? 0);
}

interface Row {
  [column: string]: unknown;
  seq: number;
  type: string;
  hash: string;
  payload: Record<string, unknown>;
}

async function tail(a: RunningAgent, n: number): Promise<Row[]> {
  return ((await (await api(a, `/api/audit?tail=${n}`)).json()) as { events: Row[] }).events;
}

describe("rows cut off the end of the chain", () => {
  it(
    "are named offline, stop the next start, and --accept-audit-reset begins a new chain that says so",
    slow,
    async () => {
      const a = await start();
      await someEvents(a, 10);
      await a.stop("SIGTERM");
      const head = await maxSeq(dbFile(a));
      const anchor = JSON.parse(fs.readFileSync(path.join(a.dir, ".vigil/audit.anchor"), "utf8")) as {
        seq: number;
      };
      expect(anchor.seq).toBe(head);

      await tamper(
        dbFile(a),
        async (db) => void (await db.run("DELETE FROM audit_events WHERE seq > ?", [head - 8])),
      );

      const offline = await runCli(["audit", "verify", "-c", a.configFile]);
      expect(offline.code).toBe(1);
      expect(offline.stderr).toContain(`chain ends at seq ${head - 8}, anchor says ${head}`);

      const refused = await runCli(["up", "-c", a.configFile]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("cannot be trusted");
      expect(refused.stderr).toContain(`chain ends at seq ${head - 8}, anchor says ${head}`);
      expect(refused.stderr).toContain("vigil up --accept-audit-reset");
      // The refused start appended nothing onto the shortened chain.
      expect(await maxSeq(dbFile(a))).toBe(head - 8);

      const b = await startAcceptingReset(a.dir);
      const [reset] = (await tail(b, 5)).filter((e) => e.seq === head - 7);
      expect(reset).toMatchObject({
        type: "audit.reset",
        payload: { previous_tip_seq: head - 8, anchor_seq: head },
      });
      expect(JSON.stringify(reset!.payload.found)).toContain(
        `chain ends at seq ${head - 8}, anchor says ${head}`,
      );
      const verify = await runCli(["audit", "verify"], { env: cliEnv(b) });
      expect(verify.code).toBe(0);
      expect(verify.stdout).toContain(`chain reset at seq ${head - 7}`);
      // And the next plain start is a plain start again.
      await b.stop("SIGTERM");
      const c = await start(base(), a.dir);
      expect((await runCli(["audit", "verify"], { env: cliEnv(c) })).code).toBe(0);
    },
  );

  it("while the agent runs are named through the agent, which remembers its own head", slow, async () => {
    const a = await start();
    await someEvents(a, 5);
    const head = await maxSeq(dbFile(a));
    await tamper(
      dbFile(a),
      async (db) => void (await db.run("DELETE FROM audit_events WHERE seq > ?", [head - 4])),
    );
    const online = await runCli(["audit", "verify"], { env: cliEnv(a) });
    expect(online.code).toBe(1);
    expect(online.stderr).toContain(`chain ends at seq ${head - 4}, anchor says ${head}`);
  });
});

describe("a vanished store", () => {
  it(
    "vigil.db emptied to zero bytes: verify says so, the start refuses, a reset starts at seq 1 naming it",
    slow,
    async () => {
      const a = await start();
      await someEvents(a, 3);
      await a.stop("SIGTERM");
      const head = await maxSeq(dbFile(a));
      for (const f of ["", "-wal", "-shm"]) fs.rmSync(dbFile(a) + f, { force: true });
      fs.writeFileSync(dbFile(a), "");

      const offline = await runCli(["audit", "verify", "-c", a.configFile]);
      expect(offline.code).toBe(1);
      expect(offline.stderr).toContain(`chain ends at seq 0, anchor says ${head}`);

      const refused = await runCli(["up", "-c", a.configFile]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`chain ends at seq 0, anchor says ${head}`);

      const b = await startAcceptingReset(a.dir);
      const [first] = await (async () => {
        const res = await api(b, "/api/audit?after=0&limit=1");
        return ((await res.json()) as { events: Row[] }).events;
      })();
      expect(first).toMatchObject({
        seq: 1,
        type: "audit.reset",
        payload: { previous_tip_seq: 0, anchor_seq: head },
      });
    },
  );
});

describe("rewritten rows", () => {
  it("an edited row whose hashes were all recomputed fails its MAC, offline and at start", slow, async () => {
    const a = await start();
    await someEvents(a, 4);
    await a.stop("SIGTERM");
    await tamper(dbFile(a), async (db) => {
      const rows = await db.all<Row & { ts: number; actor: string; subject: string; prev_hash: string }>(
        "SELECT seq, ts, actor, type, subject, payload, prev_hash, hash FROM audit_events ORDER BY seq",
      );
      let prev = GENESIS;
      for (const r of rows) {
        const payload = r.seq === 3 ? '{"reason":"nothing happened"}' : (r.payload as unknown as string);
        const hash = rowHash(prev, { ...r, payload });
        await db.run("UPDATE audit_events SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?", [
          payload,
          prev,
          hash,
          r.seq,
        ]);
        prev = hash;
      }
    });
    const offline = await runCli(["audit", "verify", "-c", a.configFile]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain("audit log TAMPERED at seq 3: seq 3 does not match its MAC");

    const refused = await runCli(["up", "-c", a.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("seq 3 does not match its MAC");
  });

  it("a start on a chain with a plainly edited row refuses, naming the seq", slow, async () => {
    const a = await start();
    await someEvents(a, 2);
    await a.stop("SIGTERM");
    await tamper(
      dbFile(a),
      async (db) => void (await db.run("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 2")),
    );
    const refused = await runCli(["up", "-c", a.configFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("seq 2 does not match its hash");
  });
});

describe("the key and the anchor", () => {
  it("audit.key is made 0600 at the first start, and the anchor follows the head", slow, async () => {
    const a = await start();
    const key = path.join(a.dir, ".vigil/audit.key");
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    await someEvents(a, 1);
    const head = await maxSeq(dbFile(a));
    const anchorFile = path.join(a.dir, ".vigil/audit.anchor");
    // Written on a one-second timer, not per event.
    await waitFor(
      () => (JSON.parse(fs.readFileSync(anchorFile, "utf8")) as { seq: number }).seq >= head,
      5_000,
    );
    expect(fs.readFileSync(anchorFile, "utf8")).not.toContain(fs.readFileSync(key, "utf8").trim());
  });

  it("a deleted anchor or key stops the start", slow, async () => {
    const a = await start();
    await a.stop("SIGTERM");
    fs.rmSync(path.join(a.dir, ".vigil/audit.anchor"));
    const noAnchor = await runCli(["up", "-c", a.configFile]);
    expect(noAnchor.code).toBe(1);
    expect(noAnchor.stderr).toContain("audit.anchor is missing");

    const b = await startAcceptingReset(a.dir);
    await b.stop("SIGTERM");
    fs.rmSync(path.join(a.dir, ".vigil/audit.key"));
    const noKey = await runCli(["up", "-c", a.configFile]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain("audit.key is missing");
  });
});

describe("anchors held outside the host", () => {
  it(
    "every notification and /metrics carry the head; verify --anchor holds the chain to one",
    slow,
    async () => {
      const got: { audit_anchor?: string }[] = [];
      const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (d: Buffer) => (raw += d.toString()));
        req.on("end", () => {
          got.push(JSON.parse(raw) as { audit_anchor?: string });
          res.end("ok");
        });
      });
      const port = await new Promise<number>((r) =>
        server.listen(0, "127.0.0.1", () => r((server.address() as net.AddressInfo).port)),
      );
      try {
        const dir = tempDir("vigil-audit-notify-");
        const a = await start(
          base(`notify:
  channels: { hook: { webhook: { url: "http://127.0.0.1:${port}/vigil" } } }
  routes: [{ to: [hook] }]
  group_wait: 100ms
checks:
  gone: { command: { run: ["test", "-f", "${path.join(dir, "never")}"] }, every: 200ms, fail_after: 1 }
`),
          dir,
        );
        await waitFor(() => got.length > 0);
        const anchor = got[0]!.audit_anchor;
        expect(anchor).toMatch(/^seq \d+ #[0-9a-f]{8}$/);
        const [, seq, hash] = /^seq (\d+) #([0-9a-f]{8})$/.exec(anchor!)!;
        const res = await api(a, `/api/audit?after=${Number(seq) - 1}&limit=1`);
        const [row] = ((await res.json()) as { events: Row[] }).events;
        expect(row!.seq).toBe(Number(seq));
        expect(row!.hash.slice(0, 8)).toBe(hash);

        const held = await runCli(["audit", "verify", "--anchor", anchor!], { env: cliEnv(a) });
        expect(held.code).toBe(0);
        expect(held.stdout).toContain("matches");
        const wrong = await runCli(["audit", "verify", "--anchor", `seq ${seq} #00000000`], {
          env: cliEnv(a),
        });
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain(`seq ${seq} has hash #${hash}`);

        const metrics = await (await api(a, "/metrics")).text();
        const gauge = /^vigil_audit_head_seq (\d+)$/m.exec(metrics);
        const info = /^vigil_audit_head_info\{seq="(\d+)",hash="([0-9a-f]{8})"\} 1$/m.exec(metrics);
        expect(Number(gauge?.[1])).toBeGreaterThanOrEqual(Number(seq));
        const infoRow = (
          (await (await api(a, `/api/audit?after=${Number(info![1]) - 1}&limit=1`)).json()) as {
            events: Row[];
          }
        ).events[0];
        expect(infoRow!.hash.slice(0, 8)).toBe(info![2]);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    },
  );
});
