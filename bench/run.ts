/**
 * `npm run bench [-- name ...]`: runs each benchmark in its own process (so one cannot warm up or
 * bloat another) and prints what it measured. The figures and the command go into BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const all = [
  "audit",
  "scheduler",
  "checks",
  "supervision",
  "crashloop",
  "fleet",
  "fleet-checks",
  "start",
  "load",
  "containers-watched",
  "containers",
  "claims",
];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = chosen.length > 0 ? chosen : all;

let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`unknown benchmark "${name}"; choose from: ${all.join(", ")}`);
    process.exit(2);
  }
  console.log(`\n## ${name}  (node bench/${name}.ts)\n`);
  const r = spawnSync(process.execPath, [path.join(import.meta.dirname, `${name}.ts`)], {
    stdio: "inherit",
    timeout: 20 * 60_000,
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${name} failed (exit ${r.status ?? r.signal})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
