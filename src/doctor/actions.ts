/**
 * Declared actions, without running any: a `run` action's program exists and is executable and its
 * working folder exists; an `http` action's host resolves and accepts a connection (no request is
 * made); a `cleanup` action's folders exist and are writable.
 */
import type { ActionConfig } from "../config/schema.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem, skipped } from "./finding.ts";
import { explainReach, reach, urlHost, urlPort } from "./network.ts";
import { checkFolder, checkProgram } from "./programs.ts";

async function checkAction(name: string, a: ActionConfig, ctx: DoctorContext): Promise<Finding[]> {
  const thing = `action ${name}`;
  const key = `actions.${name}`;
  const out: Finding[] = [];
  if (a.run) {
    if (/[{}]/.test(a.run[0] ?? ""))
      out.push(skipped(thing, "its program is chosen by a parameter; not checked"));
    else {
      const where = { cwd: a.cwd ?? process.cwd(), searchPath: a.env.PATH ?? ctx.path, key: `${key}.run` };
      out.push(await checkProgram(thing, a.run, where));
    }
    if (a.cwd) out.push(await checkFolder(thing, a.cwd, `${key}.cwd`));
  }
  if (a.http) {
    const u = new URL(a.http.url);
    const [host, port] = [urlHost(u), urlPort(u)];
    const r = await reach(host, port, ctx.timeoutMs);
    if (r.ok) out.push(ok(thing, `${host}:${port} accepts connections; no request made`));
    else {
      const e = explainReach(r, host, port, ctx.timeoutMs, `${key}.http.url`);
      out.push(problem(thing, e.what, e.fix));
    }
  }
  if (a.cleanup) {
    for (const [i, folder] of a.cleanup.paths.entries())
      out.push(await checkFolder(thing, folder, `${key}.cleanup.paths[${i}]`, true));
  }
  return out;
}

/** One task per declared action, in config order. */
export function actionTasks(ctx: DoctorContext): (() => Promise<Finding[]>)[] {
  return Object.entries(ctx.config.actions).map(
    ([name, a]) =>
      () =>
        checkAction(name, a, ctx),
  );
}
