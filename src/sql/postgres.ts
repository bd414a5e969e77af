/**
 * One read-only query on PostgreSQL (statement.ts says which statements are sent at all): its own
 * connection (a check every few seconds does not need a pool, and a connection per run can never be
 * left inside someone else's transaction), a `READ ONLY` transaction the server enforces,
 * `statement_timeout`, and the extended protocol, whose Parse message the server refuses when it
 * holds more than one statement (the simple protocol would run them all, whatever quoting or
 * comments hide the `;`). At most `maxRows` rows are read: the portal is executed with that limit
 * and never asked for more.
 */
import net from "node:net";
import pg from "pg";
import { toJson, type Json } from "./json.ts";
import { SqlError, type RawRows } from "./result.ts";
import { postgresRefusal } from "./statement.ts";

export interface PostgresRun {
  /** Where, for messages: `postgres:host:port/db`, never the password. */
  where: string;
  timeoutMs: number;
  maxRows: number;
  signal?: AbortSignal;
}

/** A BIGINT as a number while it is exact, as text beyond: a count is a number, an id stays right. */
const int8 = (v: string): number | string => (Number.isSafeInteger(Number(v)) ? Number(v) : v);
/** NUMERIC (avg(), ratios) as a number while its integer part is exact; conditions compare numbers. */
const numeric = (v: string): number | string => {
  const n = Number(v);
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : v;
};
const asText = (v: string) => v;
/** Dates and times as the server writes them: no reading in the agent's time zone. */
const parsers: Record<number, (v: string) => unknown> = {
  20: int8,
  1700: numeric,
  1082: asText,
  1083: asText,
  1114: asText,
  1184: asText,
  1266: asText,
};
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary"): unknown =>
    parsers[oid] ?? (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

/** Stops at the row limit: at PortalSuspended it ends the exchange instead of asking for more. */
class BoundedQuery extends pg.Query {
  handlePortalSuspended(connection: { sync(): void }): void {
    connection.sync();
  }
}

interface PgError {
  code?: string;
  message?: string;
}

export async function queryPostgres(url: string, query: string, run: PostgresRun): Promise<RawRows> {
  const refusal = postgresRefusal(query);
  if (refusal) throw new SqlError("refused", refusal, false);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let socket: net.Socket | undefined;
  let connected = false;
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: run.timeoutMs,
    statement_timeout: run.timeoutMs,
    application_name: "vigil-check",
    types,
    // Ours, so a deadline can cut it whatever state the driver is in.
    stream: () => (socket = new net.Socket()),
  });
  // A connection that breaks after the answer must not become an uncaught error.
  client.on("error", () => undefined);

  const work = async (): Promise<RawRows> => {
    await client.connect();
    connected = true;
    await client.query("BEGIN TRANSACTION READ ONLY");
    // `rows` and `queryMode` are the driver's, missing from its type definitions.
    const config: pg.QueryArrayConfig & { rows: number; queryMode: "extended" } = {
      text: query,
      rowMode: "array",
      rows: run.maxRows + 1,
      queryMode: "extended",
    };
    const q = new BoundedQuery(config);
    const result = await new Promise<pg.QueryArrayResult>((resolve, reject) => {
      q.once("end", resolve);
      q.once("error", reject);
      void client.query(q);
    });
    const ms = elapsed();
    await client.query("ROLLBACK");
    const rows = (result.rows ?? []) as unknown[][];
    return {
      columns: (result.fields ?? []).map((f) => f.name),
      arrays: rows.slice(0, run.maxRows).map((r) => r.map((v): Json => toJson(v))),
      truncated: rows.length > run.maxRows,
      ms,
    };
  };

  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          connected
            ? new SqlError(
                "timeout",
                `the query on ${run.where} ran over ${run.timeoutMs} ms and was stopped`,
                true,
              )
            : new SqlError("timeout", `${run.where} did not answer within ${run.timeoutMs} ms`, false),
        ),
      run.timeoutMs,
    );
    onAbort = () => reject(new SqlError("aborted", `the query on ${run.where} was stopped`, connected));
    if (run.signal?.aborted) onAbort();
    else run.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const working = work();
  // Once the deadline has answered, the cut connection's failure has no one to tell.
  working.catch(() => undefined);
  try {
    return await Promise.race([working, stop]);
  } catch (e) {
    throw e instanceof SqlError ? e : failure(e as PgError, run, connected, elapsed());
  } finally {
    clearTimeout(timer);
    if (onAbort) run.signal?.removeEventListener("abort", onAbort);
    await closeClient(client, () => socket);
  }
}

/** Ends the session politely when it can, and cuts the socket when that does not happen quickly. */
async function closeClient(client: pg.Client, socket: () => net.Socket | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000))),
  ]);
  clearTimeout(timer);
  socket()?.destroy();
}

/** The server's or the network's failure as a reason and a message that says what to do. */
function failure(e: PgError, run: PostgresRun, connected: boolean, ms: number): SqlError {
  const text = e.message ?? "unknown error";
  const at = run.where;
  switch (e.code) {
    case "25006":
      return new SqlError(
        "refused",
        `the query on ${at} tries to write (${text}); a sql check runs in a READ ONLY transaction: make the query only read`,
        true,
        ms,
      );
    case "42601":
      if (/multiple commands/i.test(text))
        return new SqlError(
          "refused",
          `the query on ${at} holds more than one statement; a sql check runs one: remove the others`,
          true,
          ms,
        );
      break;
    case "57014":
      return new SqlError(
        "timeout",
        `the query on ${at} ran over ${run.timeoutMs} ms and was cancelled`,
        true,
        ms,
      );
    case "28P01":
    case "28000":
      return new SqlError(
        "connect",
        `${at} refused the login (${text}); check the user and password in the URL`,
        false,
        ms,
      );
    case "3D000":
      return new SqlError("connect", `${at}: ${text}; check the database name in the URL`, false, ms);
  }
  if (!connected) {
    const cause = /timeout expired/i.test(text) ? `no answer within ${run.timeoutMs} ms` : (e.code ?? text);
    const reason = /timeout expired/i.test(text) ? "timeout" : "connect";
    return new SqlError(
      reason,
      `${at} did not answer (${cause}); check that PostgreSQL runs there and the URL is right`,
      false,
      ms,
    );
  }
  return new SqlError("query", `the query on ${at} failed: ${text}`, true, ms);
}
