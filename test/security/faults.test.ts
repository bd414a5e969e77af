/**
 * Faults, black-box against the real agent (issue 15, items 13 and 14): a data_dir filesystem that
 * fills up (a real 8 MiB tmpfs, mounted for the test), and `kill -9` of the agent mid-run.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { api, processesIn, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { closeReceivers, receiver } from "../helpers/receiver.ts";
import { tempDir } from "../helpers/tmp.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  await closeReceivers();
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

const operator = "operator-token-0123456789";
const json = { "content-type": "application/json" };
type Events = { type: string; subject: string; actor: string; payload: Record<string, unknown> }[];
const events = async (a: RunningAgent): Promise<Events> =>
  ((await (await api(a, "/api/audit?tail=300")).json()) as { events: Events }).events;

/**
 * A small filesystem of its own for data_dir: tmpfs needs root and a kernel that lets this container
 * mount. CI runs as root on the same kind of machine, so there the test runs; where mounting is
 * impossible it is skipped with the reason (the test cannot fill the real disk).
 */
const mountRoot = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-full-"));
const mountPoint = path.join(mountRoot, "data");
const mountProblem = ((): string | undefined => {
  if (process.geteuid?.() !== 0) return "mounting a tmpfs needs root";
  try {
    fs.mkdirSync(mountPoint);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mountPoint], { stdio: "pipe" });
    return undefined;
  } catch (e) {
    return `cannot mount a tmpfs here: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`;
  }
})();
afterAll(() => {
  if (!mountProblem) {
    try {
      execFileSync("umount", [mountPoint], { stdio: "pipe" });
    } catch {
      execFileSync("umount", ["-l", mountPoint], { stdio: "pipe" });
    }
  }
  fs.rmSync(mountRoot, { recursive: true, force: true });
});

/** Fills the filesystem of `dir` with one file of zeros until it has no room left. */
function fill(dir: string): string {
  const file = path.join(dir, "filler");
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(256 * 1024);
  try {
    // 8 MiB of tmpfs: 40 chunks are more than enough; the bound keeps a misconfigured mount from looping.
    for (let i = 0; i < 400; i++) {
      try {
        fs.writeSync(fd, chunk);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
        // The last few bytes too: SQLite must not find a page anywhere.
        for (let j = 0; j < 4096; j++) {
          try {
            fs.writeSync(fd, chunk, 0, 512);
          } catch {
            return file;
          }
        }
        return file;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  throw new Error(`${dir} did not fill up: is it the small tmpfs?`);
}

describe.skipIf(mountProblem !== undefined)(
  `a full data_dir filesystem (item 13)${mountProblem ? ` [skipped: ${mountProblem}]` : ""}`,
  () => {
    it("answers 503 STORE_UNAVAILABLE with the cause, degrades /health, tells people, pauses in memory, recovers", async () => {
      const rx = await receiver();
      const dir = tempDir("vigil-full-");
      const yaml = `agent:
  name: full-disk
  listen: 127.0.0.1:0
  data_dir: ${mountPoint}
auth:
  tokens: [{ name: olga, role: operator, token: ${operator} }]
checks:
  hb: { heartbeat: { within: 1h } }
actions:
  noop: { run: ["true"], risk: auto }
notify:
  channels: { hook: { webhook: { url: "${rx.url}/vigil" } } }
  routes: [{ to: [hook] }]
  group_wait: 100ms
`;
      agent = await startAgent(yaml, { dir });
      const a = agent;
      const beat = () => api(a, "/api/heartbeat/hb", { method: "POST", token: operator });
      expect((await beat()).status).toBe(200);

      const filler = fill(mountPoint);
      // SQLite may still place a write or two in room its WAL already has; the next ones fail.
      let refused: Response | undefined;
      for (let i = 0; i < 200 && !refused; i++) {
        const res = await beat();
        if (res.status !== 200) refused = res;
      }
      expect(refused?.status).toBe(503);
      const body = (await refused!.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("STORE_UNAVAILABLE");
      expect(body.error.message).toMatch(/full/);
      expect(body.error.message).not.toContain(mountPoint);
      expect(a.output()).not.toContain("cannot rollback");
      // An action that could not be recorded does not run, and says why.
      const run = await api(a, "/api/actions/noop/run", {
        method: "POST",
        token: operator,
        headers: json,
        body: "{}",
      });
      expect(run.status).toBe(503);
      expect(((await run.json()) as { error: { code: string } }).error.code).toBe("STORE_UNAVAILABLE");

      const health = await api(a, "/health", { token: null });
      expect(health.status).toBe(503);
      const degraded = (await health.json()) as { status: string; store_error: string };
      expect(degraded.status).toBe("degraded");
      expect(degraded.store_error).toMatch(/full/);

      // People hear of it at once, straight through the channel (the outbox is in the full store).
      await expect
        .poll(() => rx.hits.map((h) => (JSON.parse(h.body) as { kind: string }).kind), { timeout: 10_000 })
        .toContain("store.failing");

      // The kill switch works though it cannot be recorded, and says so; both ways.
      const flip = (verb: "pause" | "resume") =>
        api(a, `/api/${verb}`, {
          method: "POST",
          token: operator,
          headers: json,
          body: JSON.stringify({ reason: "disk full" }),
        });
      const paused = await flip("pause");
      expect(paused.status).toBe(200);
      const pausedBody = (await paused.json()) as { paused: boolean; recorded: boolean; warning: string };
      expect(pausedBody).toMatchObject({ paused: true, recorded: false });
      expect(pausedBody.warning).toContain("in memory only");
      expect(await (await api(a, "/health", { token: null })).json()).toMatchObject({ paused: true });
      expect(await (await flip("resume")).json()).toMatchObject({ paused: false, recorded: false });

      // Space comes back: the store is tried again by itself, and everything is recorded, in order.
      fs.rmSync(filler);
      await expect
        .poll(async () => (await api(a, "/health", { token: null })).status, { timeout: 20_000 })
        .toBe(200);
      expect((await beat()).status).toBe(200);
      await expect
        .poll(async () => (await events(a)).some((e) => e.type === "agent.resumed"), { timeout: 5_000 })
        .toBe(true);
      const log = await events(a);
      const [outage, pause, resume] = ["store.unavailable", "agent.paused", "agent.resumed"].map((t) =>
        log.findIndex((e) => e.type === t),
      );
      expect(log[outage!]?.payload.cause).toMatch(/full/);
      expect(log[outage!]?.payload.failed_calls).toBeGreaterThan(0);
      expect(log[pause!]).toMatchObject({ actor: "olga", payload: { reason: "disk full" } });
      expect(typeof log[pause!]?.payload.at).toBe("number");
      expect(log[resume!]?.actor).toBe("olga");
      expect(typeof log[resume!]?.payload.at).toBe("number");
      expect(outage).toBeLessThan(pause!);
      expect(pause).toBeLessThan(resume!);
      // The outage also goes out through the outbox, now that it can write.
      await expect
        .poll(() => rx.hits.map((h) => (JSON.parse(h.body) as { kind: string }).kind), { timeout: 10_000 })
        .toContain("store.unavailable");

      // A pause taken while the store failed is stored once it writes: a restarted agent is still paused.
      const again = fill(mountPoint);
      for (let i = 0; i < 200 && (await beat()).status === 200; i++);
      expect(await (await flip("pause")).json()).toMatchObject({ paused: true, recorded: false });
      fs.rmSync(again);
      await expect
        .poll(async () => (await api(a, "/health", { token: null })).status, { timeout: 20_000 })
        .toBe(200);
      await expect
        .poll(async () => (await events(a)).filter((e) => e.type === "agent.paused").length, {
          timeout: 5_000,
        })
        .toBe(2);
      await a.stop("SIGTERM");
      agent = await startAgent(yaml, { dir });
      expect(await (await api(agent, "/health", { token: null })).json()).toMatchObject({
        status: "ok",
        paused: true,
      });
    }, 150_000);

    it("refuses to start on a full disk with the real cause and what to do", async () => {
      const dir = tempDir("vigil-full-");
      const configFile = path.join(dir, "vigil.yaml");
      fs.writeFileSync(
        configFile,
        `agent:\n  name: full-start\n  listen: 127.0.0.1:0\n  data_dir: ${mountPoint}\n`,
      );
      const filler = fill(mountPoint);
      try {
        const r = await runCli(["up", "-c", configFile]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(
          /no space left on the device \(ENOSPC\)|database or disk is full \(SQLITE_FULL\)/,
        );
        expect(r.stderr).toContain("free space on the filesystem of agent.data_dir");
        expect(r.stderr).not.toMatch(/disk I\/O error$|cannot rollback/m);
      } finally {
        fs.rmSync(filler);
      }
    }, 60_000);
  },
);

describe("kill -9 of the agent during an action run (item 14)", () => {
  const sleeps = (dir: string) => processesIn(dir).filter((p) => /^sleep 61[12]$/.test(p.cmd));
  let leftover: number[] = [];
  afterEach(() => {
    for (const pid of leftover.splice(0)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone, as it should be.
      }
    }
  });

  it("stops what the killed agent's run left running at the next start, and audits it", async () => {
    const yaml = `agent:
  name: killed
  listen: 127.0.0.1:0
actions:
  slow: { run: [sh, -c, "sleep 611 & sleep 612"], risk: auto, timeout: 10m }
`;
    const dir = tempDir("vigil-kill-");
    agent = await startAgent(yaml, { dir });
    const first = agent;
    // The run answers when it ends; it is not awaited here.
    void api(first, "/api/actions/slow/run", { method: "POST", headers: json, body: "{}" }).catch(
      () => undefined,
    );
    await expect.poll(() => sleeps(dir).length, { timeout: 10_000 }).toBe(2);
    leftover = sleeps(dir).map((p) => p.pid);

    await first.stop("SIGKILL");
    // The agent is gone; its run's process group is not (it cannot be, without the agent).
    expect(
      sleeps(dir)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([...leftover].sort());

    agent = await startAgent(yaml, { dir });
    await expect.poll(() => sleeps(dir).length, { timeout: 10_000 }).toBe(0);
    const log = await events(agent);
    const requested = log.find((e) => e.type === "action.requested");
    const runId = requested?.payload.run_id as string;
    const interrupted = log.find((e) => e.type === "action.interrupted");
    expect(interrupted).toMatchObject({
      subject: "slow",
      payload: { run_id: runId, action: "slow", done: "stopped with SIGTERM" },
    });
    expect(interrupted?.payload.found).toMatch(/^process group \d+ still running \(\d+ processes\)$/);
    const run = (await (await api(agent, `/api/actions/runs/${runId}`)).json()) as {
      status: string;
      result: { error: string };
    };
    expect(run.status).toBe("failed");
    expect(run.result.error).toContain("stopped with SIGTERM");
  }, 90_000);
});
