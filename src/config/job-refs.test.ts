import { describe, expect, it } from "vitest";
import { loadConfigText } from "./load.ts";
import { formatProblem } from "./result.ts";

const file = "/etc/vigil/vigil.yaml";
const head = `services:
  worker: { command: [sleep, "1000"] }
checks:
  disk: { disk: { path: / } }
actions:
  backup-db: { run: [/usr/local/bin/backup-db], risk: auto }
  never-ever: { run: ["true"], risk: deny }
  reindex: { run: [reindex, "{table}"], params: { table: { enum: [users] } }, risk: approve }
jobs:
`;

function problems(jobs: string): string[] {
  const r = loadConfigText(head + jobs, file, {});
  return r.ok ? [] : r.problems.map(formatProblem);
}

describe("config: jobs", () => {
  it("load with every key, defaults filled in: overlap skip, catch_up none, the action's own timeout", () => {
    const r = loadConfigText(
      `${head}  nightly: { cron: "30 2 * * *", action: backup-db, timezone: Europe/Amsterdam, timeout: 30m, overlap: queue, catch_up: once }
  tick: { cron: "*/10 * * * * *", action: reindex, params: { table: users } }
  weekly: { cron: "0 4 * * SUN", action: restart, target: worker }
`,
      file,
      {},
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.config.jobs).toEqual({
      nightly: {
        cron: "30 2 * * *",
        action: "backup-db",
        params: {},
        timezone: "Europe/Amsterdam",
        timeout: 1_800_000,
        overlap: "queue",
        catch_up: "once",
      },
      tick: {
        cron: "*/10 * * * * *",
        action: "reindex",
        params: { table: "users" },
        overlap: "skip",
        catch_up: "none",
      },
      weekly: {
        cron: "0 4 * * SUN",
        action: "restart",
        params: {},
        target: "worker",
        overlap: "skip",
        catch_up: "none",
      },
    });
  });

  it("refuse a bad cron, a time zone that does not exist and a cron that never comes, where written", () => {
    expect(problems('  a: { cron: "61 * * * *", action: backup-db }\n')).toEqual([
      `${file}:10:14 jobs.a.cron: not a cron expression (Invalid value for minute: 61); five fields, or six with seconds first: "30 2 * * *" is 02:30 every day, "*/10 * * * * *" every 10 seconds`,
    ]);
    expect(problems('  a: { cron: "* * * * * * *", action: backup-db }\n')[0]).toContain(
      "jobs.a.cron: not a cron expression (mode '5-or-6-parts' requires exactly 5 or 6 parts",
    );
    expect(problems('  a: { cron: "30 2 * * *", action: backup-db, timezone: Mars/Base }\n')).toEqual([
      `${file}:10:57 jobs.a.timezone: "Mars/Base" is not a time zone; write an IANA name such as Europe/Amsterdam or UTC`,
    ]);
    expect(problems('  a: { cron: "0 0 30 2 *", action: backup-db }\n')[0]).toContain(
      'jobs.a.cron: "0 0 30 2 *" never matches a date',
    );
  });

  it("refuse an unknown action, one nothing may run, undeclared parameters and a built-in without its service", () => {
    const found = problems(`  a: { cron: "* * * * *", action: backup-dbx }
  b: { cron: "* * * * *", action: never-ever }
  c: { cron: "* * * * *", action: reindex, params: { table: orders } }
  d: { cron: "* * * * *", action: restart }
  e: { cron: "* * * * *", action: restart, target: disk }
  f: { cron: "* * * * *", action: restart, target: ghost }
  g: { cron: "* * * * *", action: restart, target: worker, params: { x: 1 } }
`);
    expect(found).toEqual([
      `${file}:10:35 jobs.a.action: the job runs "backup-dbx", which is not defined under actions: (defined: backup-db, never-ever, reindex; built in: restart, start, stop, restart-largest, free-port, longer-start)`,
      `${file}:11:35 jobs.b.action: the action "never-ever" has risk: deny; nothing may run it, a job neither`,
      `${file}:12:52 jobs.c.params: params.table: must be one of users; got "orders" (as the action "reindex" declares them)`,
      `${file}:13:6 jobs.d.target: the built-in "restart" acts on a service: name it with target:`,
      `${file}:14:52 jobs.e.target: the built-in "restart" acts on a service, and "disk" is a check`,
      `${file}:15:52 jobs.f.target: "ghost" is not a service or check here (targets: worker, disk)`,
      `${file}:16:68 jobs.g.params: the built-in "restart" takes no parameters`,
    ]);
  });

  it("refuse a maintenance window with a bad cron the same way", () => {
    const r = loadConfigText(
      `${head.replace("jobs:\n", "")}maintenance:\n  - { targets: [worker], cron: "99 * * * *", duration: 1h }\n`,
      file,
      {},
    );
    expect(r.ok ? [] : r.problems.map(formatProblem)).toEqual([
      expect.stringContaining(
        `${file}:10:32 maintenance[0].cron: not a cron expression (Invalid value for minute: 99)`,
      ),
    ]);
  });
});
