/**
 * Backups through a real agent: `vigil run` makes a restore-tested SQLite backup, `vigil backups`
 * and `GET /api/backups` list it with its checksum and verify result, and the built-in check
 * `backup:<action>` opens an incident when the newest backup goes bad: bytes flipped in the dump on
 * disk, or a dump of a damaged database whose restore test fails; a good one resolves it.
 */
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { api, runCli, type RunningAgent, startAgent, stopCleanly } from "../helpers/agent.ts";
import { tempDir } from "../helpers/tmp.ts";

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
});

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Incident {
  id: string;
  target: string;
  status: string;
}

describe("backups through a running agent", () => {
  it("are listed with checksum and verify result; a corrupted one opens an incident", async () => {
    const dir = tempDir("vigil-e2e-bk-");
    const db = path.join(dir, "app.db");
    const d = new DatabaseSync(db);
    d.exec(
      "create table users (id integer primary key, name text); insert into users (name) values ('a'), ('b')",
    );
    d.close();
    const to = path.join(dir, "backups");
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", data_dir: ./data }
actions:
  db-backup:
    backup:
      source: { sqlite: "${db}" }
      to: "${to}"
      keep: { last: 3 }
      verify: { query: "select count(*) from users", expect: ["[VALUE] > 0"] }
      check: { every: 200ms, expect: ["[AGE] < 26h", "[LATEST_OK] == true"] }
    risk: auto
`,
      { dir },
    );
    const env = { VIGIL_URL: agent.url, VIGIL_TOKEN: agent.token };

    const run = await runCli(["run", "db-backup"], { env });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    const listed = await runCli(["backups", "db-backup"], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`db-backup  ${to}  (checked by backup:db-backup)`);
    expect(listed.stdout).toMatch(
      /backup-\d{8}T\d{9}Z\.sqlite\s+\S+\s+[\d.]+ KB\s+[0-9a-f]{12}…\s+good \(verified /,
    );

    const body = (await (await api(agent, "/api/backups")).json()) as {
      backups: {
        action: string;
        backups: { file: string; sha256: string; good: boolean; verify: { ok: boolean } }[];
      }[];
    };
    const [view] = body.backups;
    expect(view?.action).toBe("db-backup");
    const newest = view!.backups[0]!;
    expect(newest).toMatchObject({ good: true, verify: { ok: true } });
    expect(newest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await api(agent, "/api/backups/nope")).status).toBe(404);
    expect((await api(agent, "/api/backups", { token: null })).status).toBe(401);

    await until("backup:db-backup up", async () => {
      const t = (await (await api(agent!, "/api/targets/backup:db-backup")).json()) as { state: string };
      return t.state === "up" ? t : undefined;
    });

    // Someone (or a failing disk) rewrites the dump in place: it is not good any more.
    const file = path.join(to, newest.file);
    const bytes = fs.readFileSync(file);
    bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    fs.writeFileSync(file, bytes);

    const incident = await until("an incident for backup:db-backup", async () => {
      const r = (await (await api(agent!, "/api/incidents?status=open")).json()) as { incidents: Incident[] };
      return r.incidents.find((i) => i.target === "backup:db-backup");
    });
    const bad = await runCli(["backups"], { env });
    expect(bad.stdout).toContain("BAD: the dump was rewritten since it was made");

    expect((await runCli(["run", "db-backup"], { env })).code).toBe(0);
    await until("the incident resolved", async () => {
      const r = (await (await api(agent!, `/api/incidents/${incident.id}`)).json()) as Incident;
      return r.status === "resolved" ? r : undefined;
    });

    // The database itself is damaged (the users table's page): the dump copies it faithfully, and its
    // restore test fails, so the new backup is recorded bad and the incident opens again.
    const fd = fs.openSync(db, "r+");
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 4096);
    fs.closeSync(fd);
    const failed = await runCli(["run", "db-backup"], { env });
    expect(failed.code).toBe(1);
    expect(failed.stdout + failed.stderr).toContain(
      "the backup did not verify: the restored copy is not a sound SQLite database",
    );
    // A failure soon after a recovery reopens the same incident.
    const again = await until("the incident open again", async () => {
      const r = (await (await api(agent!, "/api/incidents?status=open")).json()) as { incidents: Incident[] };
      return r.incidents.find((i) => i.target === "backup:db-backup");
    });
    expect(again.id).toBe(incident.id);
    const after = (await (await api(agent, "/api/backups/db-backup")).json()) as {
      backups: {
        good: boolean;
        problem: string | null;
        verify: { ok: boolean; checksum_ok: boolean } | null;
      }[];
    };
    expect(after.backups[0]).toMatchObject({ good: false, verify: { ok: false, checksum_ok: true } });
    expect(after.backups[0]?.problem).toMatch(
      /^verify failed: the restored copy is not a sound SQLite database/,
    );
    expect(after.backups.filter((b) => b.good)).toHaveLength(1);
  });
});
