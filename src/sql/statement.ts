/**
 * Which statements a PostgreSQL check may send, read from their first keyword alone (no driver, so
 * the config loader can say it at the line that holds the query). A READ ONLY transaction refuses
 * every write, but not everything that is no write: `COPY … TO PROGRAM`, or the same inside a `DO`
 * block, runs a program on the database's host for a superuser, and `REINDEX` or `CLUSTER` lock a
 * table. So only a query is sent; a write hidden inside one (`WITH d AS (DELETE …) SELECT`, a
 * function that writes) is then the READ ONLY transaction's to refuse. Functions a query calls are
 * the role's business: the docs ask for a role that can only read.
 */

const queries = new Set(["select", "with", "values", "table", "show", "explain"]);
const writes = new Set([
  "insert",
  "update",
  "delete",
  "merge",
  "create",
  "drop",
  "alter",
  "truncate",
  "grant",
  "revoke",
  "comment",
  "reindex",
  "cluster",
  "vacuum",
  "refresh",
  "lock",
]);

/** Why this statement is not sent to PostgreSQL, or undefined when it is a query. */
export function postgresRefusal(sql: string): string | undefined {
  const keyword = firstKeyword(sql);
  if (queries.has(keyword)) return undefined;
  if (keyword === "") return "the query holds no statement: write a SELECT";
  const shown = keyword.toUpperCase();
  if (writes.has(keyword))
    return `${shown} would change the database; a sql check only reads: write a SELECT`;
  return `a sql check runs a query (SELECT, WITH, VALUES, TABLE, SHOW or EXPLAIN), not ${shown}: a READ ONLY transaction does not stop everything else`;
}

/** The first keyword, lower case, past whitespace, comments (nested, as PostgreSQL reads them) and `(`. */
export function firstKeyword(sql: string): string {
  // Each turn moves i forward, so the loop ends within sql.length turns.
  let i = 0;
  while (i < sql.length) {
    if (/\s|\(/.test(sql[i]!)) i++;
    else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) i = commentEnd(sql, i);
    else break;
  }
  return /^[A-Za-z_]+/.exec(sql.slice(i))?.[0].toLowerCase() ?? "";
}

/** Where the block comment opening at `start` ends; comments nest in PostgreSQL. */
function commentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith("*/", i)) {
      i += 2;
      if (--depth === 0) return i;
    } else i++;
  }
  return sql.length;
}
