/**
 * `node load-child.js FILE`: loads the config in a process of its own and writes the `LoadResult`
 * as JSON to stdout. The agent loads and reloads its config through this (`app/config-loader.ts`),
 * so zod, both YAML parsers and the schemas never enter the long-running process (~6 MB of its RSS),
 * and the time and memory a huge or hostile file costs are spent in a process that then exits.
 */
import { loadConfig } from "./load.ts";

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write("usage: load-child FILE\n");
  process.exitCode = 2;
} else {
  try {
    process.stdout.write(JSON.stringify(await loadConfig(file, process.env)));
  } catch (e) {
    // One line, the last the agent reads: a stack trace would end in "Node.js v24...", which says nothing.
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`.replace(/\n(?!$)/g, " "));
    process.exitCode = 1;
  }
}
