/**
 * Declared actions, without running any, as each kind's doctor plan says: a `run` action's program
 * exists and is executable and its working folder exists; an `http` action's host resolves and
 * accepts a connection (no request is made); a `cleanup` action's folders exist and are writable; a
 * `backup` action's folder exists or can be made, and its dump program is on PATH.
 */
import fs from "node:fs";
import path from "node:path";
import type { ActionConfig } from "../config/schema.ts";
import { kindOf } from "../gateway/kinds/index.ts";
import type { DoctorContext } from "./context.ts";
import { type Finding, ok, problem, skipped } from "./finding.ts";
import { explainReach, reach, urlHost, urlPort } from "./network.ts";
import { checkFolder, checkProgram } from "./programs.ts";

async function checkAction(name: string, a: ActionConfig, ctx: DoctorContext): Promise<Finding[]> {
  const thing = `action ${name}`;
  const key = `actions.${name}`;
  const { kind, settings } = kindOf(a);
  const plan = kind.doctor(settings, a);
  if ("skip" in plan) return [skipped(thing, plan.skip)];
  if ("program" in plan) {
    const p = plan.program;
    const out = [
      await checkProgram(thing, p.argv, {
        cwd: p.cwd ?? process.cwd(),
        searchPath: p.env.PATH ?? ctx.path,
        key: `${key}.${p.field}`,
      }),
    ];
    if (p.cwd) out.push(await checkFolder(thing, p.cwd, `${key}.cwd`));
    return out;
  }
  if ("reach" in plan) {
    const u = new URL(plan.reach.url);
    const [host, port] = [urlHost(u), urlPort(u)];
    const r = await reach(host, port, ctx.timeoutMs);
    if (r.ok) return [ok(thing, `${host}:${port} accepts connections; no request made`)];
    const e = explainReach(r, host, port, ctx.timeoutMs, `${key}.${plan.reach.field}`);
    return [problem(thing, e.what, e.fix)];
  }
  const f = plan.folders;
  const folders = await Promise.all(
    f.paths.map(async (folder, i) => {
      const at = f.one ? `${key}.${f.field}` : `${key}.${f.field}[${i}]`;
      const parent = f.created ? await missingWithParent(folder) : undefined;
      return parent === undefined
        ? checkFolder(thing, folder, at, f.writable)
        : checkFolder(thing, parent, at, true).then((found) =>
            found.verdict === "ok"
              ? ok(thing, `folder ${folder} does not exist yet; the action creates it in ${parent}`)
              : found,
          );
    }),
  );
  const programs = await Promise.all(
    (f.programs ?? []).map((p) =>
      checkProgram(thing, [p.name], { cwd: process.cwd(), searchPath: ctx.path, key: `${key}.${p.field}` }),
    ),
  );
  return [...folders, ...programs];
}

/** The nearest folder that exists above a missing `folder`, or undefined when `folder` exists. */
async function missingWithParent(folder: string): Promise<string | undefined> {
  let at = folder;
  for (let i = 0; i < 64; i++) {
    try {
      await fs.promises.lstat(at);
      return at === folder ? undefined : at;
    } catch {
      const up = path.dirname(at);
      if (up === at) return undefined;
      at = up;
    }
  }
  return undefined;
}

/** One task per declared action, in config order. */
export function actionTasks(ctx: DoctorContext): (() => Promise<Finding[]>)[] {
  return Object.entries(ctx.config.actions).map(
    ([name, a]) =>
      () =>
        checkAction(name, a, ctx),
  );
}
