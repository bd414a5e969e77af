/**
 * Files and secrets in data_dir, black-box against the real agent (issue 15, items 6, 7 and 11):
 * nothing planted in data_dir redirects what the agent reads or writes, every file there is private,
 * and a deleted admin.token comes back at a reload.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");
const base = (extra = "") => `agent:\n  name: files\n  listen: 127.0.0.1:0\n${extra}`;
const mode = (f: string) => fs.statSync(f).mode & 0o777;

let agent: RunningAgent | undefined;
afterEach(async () => {
  const left = await stopCleanly(agent);
  agent = undefined;
  expect(left, "a stopped agent leaves no process behind").toEqual([]);
});

/** A temp folder with the config and a data_dir `.vigil` made with `dirMode`. */
function folder(yaml: string, dirMode = 0o700) {
  const dir = tempDir("vigil-files-");
  const configFile = path.join(dir, "vigil.yaml");
  fs.writeFileSync(configFile, yaml);
  const dataDir = path.join(dir, ".vigil");
  fs.mkdirSync(dataDir);
  fs.chmodSync(dataDir, dirMode);
  return { dir, configFile, dataDir };
}

/** A file outside data_dir that a planted link points at: it must stay as it was. */
function victim(dir: string): { file: string; content: string } {
  const file = path.join(dir, "victim.txt");
  const content = "someone else's file, 40 characters long.\n";
  fs.writeFileSync(file, content);
  fs.chmodSync(file, 0o644);
  return { file, content };
}

type Events = { type: string; subject: string; payload: Record<string, unknown> }[];
const events = async (a: RunningAgent): Promise<Events> =>
  ((await (await api(a, "/api/audit?tail=200")).json()) as { events: Events }).events;

describe("symbolic links planted in data_dir (item 6)", () => {
  it("refuses an admin.token link at start, naming it, and leaves its target alone", async () => {
    const { dir, configFile, dataDir } = folder(base());
    const v = victim(dir);
    const link = path.join(dataDir, "admin.token");
    fs.symlinkSync(v.file, link);
    const r = await runCli(["up", "-c", configFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${link} is a symbolic link`);
    expect(fs.readFileSync(v.file, "utf8")).toBe(v.content);
    expect(mode(v.file)).toBe(0o644);
  });

  it("never appends a service's output through a logs/<service>.log link", async () => {
    const yaml = base(
      `services:\n  talker:\n    command: ["${process.execPath}", "${fixture}"]\n    restart: { backoff: { initial: 1s, max: 5s } }\n`,
    );
    const { dir, dataDir } = folder(yaml);
    const v = victim(dir);
    fs.mkdirSync(path.join(dataDir, "logs"), { mode: 0o700 });
    const link = path.join(dataDir, "logs/talker.log");
    fs.symlinkSync(v.file, link);
    agent = await startAgent(yaml, { dir });
    await expect
      .poll(async () => (await events(agent!)).find((e) => e.type === "service.spawn_failed"), {
        timeout: 10_000,
      })
      .toBeDefined();
    const failed = (await events(agent)).find((e) => e.type === "service.spawn_failed")!;
    expect(failed.subject).toBe("talker");
    expect(failed.payload.error).toContain(`${link} is a symbolic link`);
    expect(fs.readFileSync(v.file, "utf8")).toBe(v.content);
    expect(mode(v.file)).toBe(0o644);
  });
});

describe("permissions in data_dir (item 7)", () => {
  it("keeps every file private in a pre-existing 0755 data_dir, older 0644 files included", async () => {
    const yaml = base(`services:\n  talker:\n    command: ["${process.execPath}", "${fixture}"]\n`);
    const { dir, dataDir } = folder(yaml, 0o755);
    // A database from before the fix: world-readable.
    fs.writeFileSync(path.join(dataDir, "vigil.db"), "");
    fs.chmodSync(path.join(dataDir, "vigil.db"), 0o644);
    agent = await startAgent(yaml, { dir });
    await expect
      .poll(
        () =>
          fs.existsSync(path.join(dataDir, "logs/talker.log")) &&
          fs.statSync(path.join(dataDir, "logs/talker.log")).size > 0,
        {
          timeout: 10_000,
        },
      )
      .toBe(true);
    await api(agent, "/api/pause", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    const files = ["vigil.db", "vigil.db-wal", "vigil.db-shm", "admin.token", "logs/talker.log"];
    for (const f of files) expect([f, mode(path.join(dataDir, f))]).toEqual([f, 0o600]);
    // Whatever else the agent keeps there is private too.
    for (const f of fs.readdirSync(dataDir, { recursive: true }) as string[]) {
      const p = path.join(dataDir, f);
      expect([f, mode(p)]).toEqual([f, fs.statSync(p).isDirectory() ? 0o700 : 0o600]);
    }
    // World-readable folder: its files are what is protected, the folder is the operator's.
    expect(mode(dataDir)).toBe(0o755);
  });

  it("creates data_dir 0700", async () => {
    const dir = tempDir("vigil-files-");
    agent = await startAgent(base("  data_dir: ./state/here\n"), { dir });
    expect(mode(path.join(dir, "state/here"))).toBe(0o700);
  });

  it("refuses a data_dir other users can write, saying how to fix it", async () => {
    const { dataDir, configFile } = folder(base(), 0o777);
    const r = await runCli(["up", "-c", configFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`agent.data_dir ${dataDir} can be written by other users (mode 0777)`);
    expect(r.stderr).toContain(`chmod go-w ${dataDir}`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });
});

describe("a deleted admin.token (item 11)", () => {
  it("is written again, with the same token, at a reload; until then the CLI says where it looked", async () => {
    agent = await startAgent(base());
    const file = path.join(agent.dir, ".vigil/admin.token");
    const token = agent.token;
    fs.rmSync(file);

    const cli = () => runCli(["status", "-c", agent!.configFile], { env: { VIGIL_URL: agent!.url } });
    const refused = await cli();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`token from ${file} (ENOENT)`);
    expect(refused.stderr).toContain("kill -HUP");

    agent.proc.kill("SIGHUP");
    await expect
      .poll(() => fs.existsSync(file) && fs.readFileSync(file, "utf8").trim(), { timeout: 5_000 })
      .toBe(token);
    expect(mode(file)).toBe(0o600);
    const ok = await cli();
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    // The token still works after the reload: it is the same one.
    expect((await api(agent, "/api/targets")).status).toBe(200);
  });
});
