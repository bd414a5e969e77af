/**
 * Which modules a real agent process loads: a resolve hook (`NODE_OPTIONS=--import`) that appends
 * "<pid> <url>" for every module resolved, so a test can hold the daemon to what it must not load.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const hook = `import { registerHooks } from "node:module";
import fs from "node:fs";
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    fs.appendFileSync(process.env.MODULE_LOG, process.pid + " " + r.url + "\\n");
    return r;
  },
});
`;

/** Writes the hook into `dir`; `env` is what the agent's process needs to run it. */
export function moduleLog(dir: string): { env: NodeJS.ProcessEnv; byPid: () => Map<number, string[]> } {
  const hookFile = path.join(dir, "hook.mjs");
  fs.writeFileSync(hookFile, hook);
  const log = path.join(dir, "modules.log");
  return {
    env: { NODE_OPTIONS: `--import ${pathToFileURL(hookFile).href}`, MODULE_LOG: log },
    byPid: () => {
      const by = new Map<number, string[]>();
      for (const line of fs.readFileSync(log, "utf8").trim().split("\n")) {
        const [pid, url] = line.split(" ");
        by.set(Number(pid), [...(by.get(Number(pid)) ?? []), url!]);
      }
      return by;
    },
  };
}
