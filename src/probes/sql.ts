/**
 * `sql`: one read-only statement on PostgreSQL or SQLite (src/sql/query.ts), the way the seeds find
 * stuck jobs and falling completion rates. Provides [CONNECTED] [ROWS] [VALUE] [ROW].<column>
 * [RESPONSE_TIME]: [VALUE] is the first column of the first row, [ROW] the first row by column name,
 * [ROWS] how many rows were read (at most 100: count in the query to count more).
 */
import { parseDatabaseUrl, runQuery, SqlError } from "../sql/query.ts";
import { postgresRefusal } from "../sql/statement.ts";
import { defineProbe, type FailureClass, type ProbeOutcome } from "./probe.ts";

export default defineProbe({
  type: "sql",
  shared: "default",
  description: "Runs one read-only SQL statement on PostgreSQL or SQLite: connected, rows, the first value.",
  schema: ({ z, duration }) =>
    z
      .strictObject({
        url: z
          .string()
          .superRefine((url, issue) => {
            const problem = urlProblem(url);
            if (problem) issue.addIssue({ code: "custom", message: problem });
          })
          .describe(
            "postgres://user:password@host:5432/db or sqlite:///absolute/path.db; the password is never shown.",
          ),
        query: z
          .string()
          .trim()
          .min(1, "write one SELECT statement")
          .describe(
            "One statement, run read-only (a READ ONLY transaction on PostgreSQL, query_only on SQLite).",
          ),
        timeout: duration.optional(),
      })
      // What PostgreSQL is never sent is said where the query is written, not at its first run.
      .superRefine((cfg, issue) => {
        const refusal = /^postgres(ql)?:/i.test(cfg.url) ? postgresRefusal(cfg.query) : undefined;
        if (refusal) issue.addIssue({ code: "custom", path: ["query"], message: refusal });
      }),
  example: {
    url: "sqlite:///var/lib/app/app.db",
    query: "select count(*) from jobs where state = 'running'",
  },
  defaultExpect: ["[CONNECTED] == true"],
  provides: ["CONNECTED", "ROWS", "VALUE", "ROW", "RESPONSE_TIME"],
  doctor: (cfg) => {
    const target = parseDatabaseUrl(cfg.url);
    if (target.kind === "sqlite") return { try: true };
    const u = new URL(cfg.url);
    return { try: true, endpoint: { host: u.hostname, port: Number(u.port || 5432), field: "sql.url" } };
  },
  async run(cfg, ctx): Promise<ProbeOutcome> {
    try {
      const r = await runQuery(cfg.url, cfg.query, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
      const values: ProbeOutcome["values"] = {
        CONNECTED: true,
        ROWS: r.rows.length,
        VALUE: r.value,
        RESPONSE_TIME: r.ms,
      };
      if (r.rows[0]) values.ROW = r.rows[0];
      return { values };
    } catch (e) {
      const err = e instanceof SqlError ? e : new SqlError("query", String(e), false);
      const stopped = err.reason === "aborted" || err.reason === "timeout";
      return {
        values: { CONNECTED: err.connected, RESPONSE_TIME: err.ms },
        error: {
          class: classOf(err),
          message: stopped && ctx.signal.aborted ? `no answer within ${ctx.timeoutMs} ms` : err.message,
        },
      };
    }
  },
});

function urlProblem(url: string): string | undefined {
  try {
    parseDatabaseUrl(url);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

function classOf(err: SqlError): FailureClass {
  if (err.reason === "timeout" || err.reason === "aborted") return "timeout";
  if (err.reason !== "connect") return "unknown";
  if (/ECONNREFUSED/.test(err.message)) return "connection_refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(err.message)) return "dns_failure";
  return "unknown";
}
