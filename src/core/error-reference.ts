/** The Markdown table of error codes that README.md carries; generated so docs and code agree. */
import { errorCatalog } from "./errors.ts";

export function errorReference(): string {
  const rows = Object.entries(errorCatalog).map(
    ([code, s]) => `| \`${code}\` | ${s.status} | ${s.exit} | ${s.retryable ? "yes" : "no"} | ${s.doc} |`,
  );
  return ["| code | HTTP | exit | retry | meaning |", "| --- | --- | --- | --- | --- |", ...rows, ""].join(
    "\n",
  );
}
