/**
 * The agent's own ground: is an agent already answering at its URL (or is the port someone else's),
 * can `data_dir` be written, does the store answer. Read-only: nothing is created or migrated.
 */
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { describePostgres, PostgresDb } from "../store/postgres/db.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem, skipped } from "./finding.ts";
import { withTimeout } from "./network.ts";

/** Whether a Vigil agent answers `GET /health` at `url`; a port held by something else is a problem. */
export async function checkAgent(
  url: string,
  listen: string,
  timeoutMs: number,
): Promise<{ finding: Finding; running: boolean }> {
  const thing = "agent";
  if (new URL(url).port === "0")
    return {
      running: false,
      finding: skipped(
        thing,
        `agent.listen ${listen} takes a free port at start; set VIGIL_URL to look for a running one`,
      ),
    };
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    if (code === "ECONNREFUSED")
      return { running: false, finding: ok(thing, `none answers at ${url}; doctor works without one`) };
    return {
      running: false,
      finding: problem(
        thing,
        `${url} does not answer HTTP (${code === "TimeoutError" ? `no answer within ${timeoutMs} ms` : code})`,
        `if it is a hung agent, restart it; if another program holds ${listen}, choose another agent.listen`,
      ),
    };
  }
  const body = (await res.json().catch(() => undefined)) as
    { status?: string; version?: string; mode?: string; paused?: boolean } | undefined;
  if (!res.ok || body?.status !== "ok" || typeof body.version !== "string") {
    return {
      running: false,
      finding: problem(
        thing,
        `${url} answers HTTP ${res.status}, but not as a Vigil agent`,
        `another program holds ${listen}: stop it, or choose another agent.listen`,
      ),
    };
  }
  const paused = body.paused ? "; automatic actions are paused" : "";
  return {
    running: true,
    finding: ok(thing, `running at ${url} (version ${body.version}, mode ${body.mode ?? "?"}${paused})`),
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function writable(p: string): Promise<boolean> {
  try {
    await fs.access(p, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `data_dir` writable, or creatable: the nearest folder that exists must be writable. */
export async function checkDataDir(ctx: DoctorContext): Promise<Finding[]> {
  const dir = ctx.config.agent.data_dir;
  const thing = "agent.data_dir";
  if (await exists(dir)) {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) return [problem(thing, `${dir} is a file`, "set agent.data_dir to a folder")];
    return (await writable(dir))
      ? [ok(thing, `${dir} is writable`)]
      : [
          problem(
            thing,
            `${dir} is not writable by this user`,
            `chown it to the agent's user, or set agent.data_dir`,
          ),
        ];
  }
  let parent = path.dirname(dir);
  while (!(await exists(parent)) && parent !== path.dirname(parent)) parent = path.dirname(parent);
  return (await writable(parent))
    ? [ok(thing, `${dir} does not exist yet; \`vigil up\` creates it`)]
    : [
        problem(
          thing,
          `${dir} does not exist and cannot be created (${parent} is not writable)`,
          `create it with write permission for the agent's user, or set agent.data_dir`,
        ),
      ];
}

/** What a PostgreSQL error code means for a person fixing `agent.store`. */
const pgFixes: Record<string, string> = {
  ECONNREFUSED: "nothing listens there: is PostgreSQL running, on that host and port?",
  ENOTFOUND: "the host does not resolve: check the host name in agent.store",
  EAI_AGAIN: "the host does not resolve: check the host name in agent.store",
  ETIMEDOUT: "no answer in time: is the host up, and does a firewall let this machine reach it?",
  "28P01": "the server refused the login: check the user and password in agent.store",
  "28000": "the server refused this user or host: check pg_hba.conf and the user in agent.store",
  ECONNRESET:
    "the connection was closed before PostgreSQL answered: is PostgreSQL on that port, and may this host connect (pg_hba.conf, TLS)?",
  "3D000": "the database does not exist: create it (createdb <name>), or fix the name in agent.store",
};

/** The store answers (PostgreSQL: connect and `SELECT 1`), or SQLite's file can be read and written. */
export async function checkStore(ctx: DoctorContext): Promise<Finding[]> {
  const { store, data_dir } = ctx.config.agent;
  const thing = "agent.store";
  if (store === "sqlite") {
    const file = path.join(data_dir, "vigil.db");
    if (!(await exists(file)))
      return [ok(thing, `sqlite: ${file} does not exist yet; \`vigil up\` creates it`)];
    try {
      await fs.access(file, constants.R_OK | constants.W_OK);
      return [ok(thing, `sqlite: ${file} is readable and writable`)];
    } catch {
      return [
        problem(
          thing,
          `sqlite: ${file} cannot be read and written by this user`,
          `chown it to the agent's user`,
        ),
      ];
    }
  }
  const where = describePostgres(store);
  const db = new PostgresDb(store, {
    max: 1,
    connectionTimeoutMs: ctx.timeoutMs,
    statementTimeoutMs: ctx.timeoutMs,
  });
  try {
    const answered = await withTimeout(
      db.get("SELECT 1").then(() => true),
      ctx.timeoutMs + 500,
      () => false,
    );
    if (!answered) throw Object.assign(new Error("timeout"), { code: "ETIMEDOUT" });
    return [ok(thing, `${where} answers`)];
  } catch (e) {
    const err = e as { code?: string; message?: string };
    // pg reports a connection timeout and a connection closed on it as plain messages, without a code.
    const message = err.message ?? "";
    const code =
      err.code ??
      (/timeout/i.test(message) ? "ETIMEDOUT" : /terminated/i.test(message) ? "ECONNRESET" : "ERROR");
    return [
      problem(thing, `${where} did not answer (${code})`, pgFixes[code] ?? "check the URL in agent.store"),
    ];
  } finally {
    await db.close().catch(() => undefined);
  }
}
