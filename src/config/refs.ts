/**
 * Checks that the sections of a parsed config agree with each other: target names are unique,
 * `depends_on` names services and has no cycle, `remediate` and jobs name defined actions, routes
 * name defined channels, conditions read placeholders their check type provides.
 */
import fs from "node:fs";
import path from "node:path";
import { parseCondition } from "../conditions/index.ts";
import { cronProblem } from "../core/cron-schedule.ts";
import { builtinActions } from "../gateway/builtins.ts";
import { kindOf } from "../gateway/kinds/index.ts";
import { probeOf } from "../probes/index.ts";
import { isAlertTarget } from "../alertmanager/naming.ts";
import { alertmanagerProblems } from "./alertmanager-refs.ts";
import { digestProblems } from "./digest-refs.ts";
import { jobProblems } from "./job-refs.ts";
import { planned, plannedMessage } from "./planned.ts";
import type { RemediateStep, VigilConfig } from "./schema.ts";

export interface RefProblem {
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value. */
  atKey?: boolean;
}

export function checkRefs(c: VigilConfig): RefProblem[] {
  const problems: RefProblem[] = [];
  const add = (path: (string | number)[], message: string, atKey = false) =>
    problems.push({ path, message, atKey });

  // Accepted in shape, so the file is ready for it, but refused: a key that loads and does nothing is worse.
  for (const p of planned) {
    if (p.kind !== "config key") continue;
    for (const path of present(c, p.path)) add(path, plannedMessage(p), true);
  }

  tokenProblems(c, add);
  folderProblems(c, add);
  backupFolderProblems(c, add);

  for (const name of Object.keys(c.checks)) {
    if (name in c.services) {
      add(
        ["checks", name],
        `the name "${name}" is used by a service and a check; every target needs its own name`,
        true,
      );
    }
  }

  for (const [name, s] of Object.entries(c.services)) {
    s.depends_on.forEach((dep, i) => {
      if (dep === name) add(["services", name, "depends_on", i], `service "${name}" cannot depend on itself`);
      else if (!(dep in c.services)) {
        add(
          ["services", name, "depends_on", i],
          `depends on "${dep}", which is not a service here (services: ${list(Object.keys(c.services))})`,
        );
      }
    });
  }
  const cycle = findCycle(c);
  if (cycle)
    add(["services", cycle[0] ?? "", "depends_on"], `depends_on forms a cycle: ${cycle.join(" → ")}`);

  const actions = Object.keys(c.actions);
  const builtins = builtinActions.map((b) => b.name);
  const known = new Set<string>([...actions, ...builtins]);
  const targets: [string, "services" | "checks", { remediate: RemediateStep[] }][] = [
    ...Object.entries(c.services).map(([n, s]) => [n, "services", s] as [string, "services", typeof s]),
    ...Object.entries(c.checks).map(([n, s]) => [n, "checks", s] as [string, "checks", typeof s]),
  ];
  for (const [name, section, t] of targets) {
    t.remediate.forEach((step, i) => {
      const action = typeof step === "string" ? step : step.action;
      if (!known.has(action)) {
        add(
          [section, name, "remediate", i],
          `remediate names the action "${action}", which is not defined under actions: (defined: ${list(actions)}; built in: ${builtins.join(", ")})`,
        );
      } else if (section === "checks" && !Object.hasOwn(c.actions, action)) {
        // A built-in that acts on the service named by target cannot act on a check: it would fail at 3 a.m.
        const b = builtinActions.find((x) => x.name === action);
        // ... but a container check's and a compose member's container is restarted through the engine
        const readsContainer = ["container", "compose"].some(
          (type) => (t as Record<string, unknown>)[type] !== undefined,
        );
        if (b?.needs_target && !(readsContainer && ["restart", "start", "stop"].includes(action)))
          add(
            [section, name, "remediate", i],
            `the built-in "${action}" acts on a service, and "${name}" is a check; remediate a check with a declared action or restart-largest`,
          );
      }
    });
  }

  jobProblems(c, add);
  alertmanagerProblems(c, add);

  for (const [name, a] of Object.entries(c.actions)) {
    const { type, settings } = kindOf(a);
    for (const word of type === "run" ? (settings as string[]) : []) {
      for (const m of word.matchAll(/\{(\w+)\}/g)) {
        const param = m[1] ?? "";
        if (!(param in a.params))
          add(["actions", name, "run"], `uses {${param}} but declares no parameter "${param}" under params:`);
      }
    }
  }

  const channels = Object.keys(c.notify.channels);
  c.notify.routes.forEach((r, i) => {
    r.to.forEach((ch, j) => {
      if (!(ch in c.notify.channels)) {
        add(
          ["notify", "routes", i, "to", j],
          `the route sends to "${ch}", which is not a channel under notify.channels (channels: ${list(channels)})`,
        );
      }
    });
  });
  if (c.notify.fallback !== undefined && !(c.notify.fallback in c.notify.channels)) {
    add(
      ["notify", "fallback"],
      `the fallback "${c.notify.fallback}" is not a channel under notify.channels (channels: ${list(channels)})`,
    );
  }

  digestProblems(c, add);

  const allTargets = new Set([...Object.keys(c.services), ...Object.keys(c.checks)]);
  c.maintenance.forEach((m, i) => {
    m.targets.forEach((t, j) => {
      // An alert's target exists once Alertmanager posts it.
      if (!allTargets.has(t) && !isAlertTarget(t))
        add(["maintenance", i, "targets", j], `"${t}" is not a service or check`);
    });
    const problem = cronProblem(m.cron);
    if (problem) add(["maintenance", i, "cron"], problem);
  });

  const watched = [
    ...Object.entries(c.services).flatMap(([n, s]) =>
      s.health ? [{ check: s.health, path: ["services", n, "health"] }] : [],
    ),
    ...Object.entries(c.checks).map(([n, s]) => ({ check: s, path: ["checks", n] })),
  ];
  for (const { check, path } of watched) {
    const found = probeOf(check);
    if (!found) continue;
    const { type, probe, settings } = found;
    for (const ref of probe.services?.(settings) ?? []) {
      if (!(ref.name in c.services))
        add([...path, ...ref.field.split(".")], `"${ref.name}" is not a service here`);
    }
    const provides: readonly string[] = probe.provides;
    check.expect.forEach((text, i) => {
      const parsed = parseCondition(text);
      if (!parsed.ok) return;
      for (const side of [parsed.condition.left, parsed.condition.right]) {
        if (side.kind === "placeholder" && !provides.includes(side.name)) {
          add(
            [...path, "expect", i],
            `[${side.name}] is not something a ${type} check measures; it provides ${provides.map((p) => `[${p}]`).join(" ")}`,
          );
        }
      }
    });
  }
  return problems;
}

/** The name the agent gives its own admin token (`<data_dir>/admin.token`). */
const builtinAdmin = "admin";

/** Two names with one token would authenticate as whichever comes first; `admin` is the agent's own. */
function tokenProblems(c: VigilConfig, add: (path: (string | number)[], message: string) => void): void {
  const first = new Map<string, number>();
  c.auth.tokens.forEach((t, i) => {
    if (t.name === builtinAdmin) {
      add(
        ["auth", "tokens", i, "name"],
        `"${builtinAdmin}" is reserved for the built-in admin token (${path.join(c.agent.data_dir, "admin.token")}); give this token another name`,
      );
    }
    const earlier = first.get(t.token);
    if (earlier === undefined) first.set(t.token, i);
    else {
      const other = c.auth.tokens[earlier]!;
      add(
        ["auth", "tokens", i, "token"],
        `"${t.name}" has the same token as auth.tokens[${earlier}] (${other.name}), so it would authenticate as ${other.name}; give each name its own token (openssl rand -hex 24)`,
      );
    }
  });
  // A heartbeat token sits in a cron line or a script; as an operator's token it would act as one.
  for (const [name, check] of Object.entries(c.checks)) {
    const hb = (check as { heartbeat?: { token?: string } }).heartbeat;
    const i = hb?.token === undefined ? undefined : first.get(hb.token);
    if (i === undefined) continue;
    add(
      ["checks", name, "heartbeat", "token"],
      `the same token as auth.tokens[${i}] (${c.auth.tokens[i]!.name}), so whatever pushes this heartbeat could also act as ${c.auth.tokens[i]!.name}; give the heartbeat a token of its own (openssl rand -hex 24)`,
    );
  }
}

/** Folders no action may clean or write into as a whole: the system's own. */
const systemFolders = [
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/etc",
  "/home",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/sys",
  "/usr",
  "/var",
];
/** Folders whose every subfolder is the system's too: virtual file systems, programs, the kernel. */
const systemTrees = ["/bin", "/boot", "/dev", "/proc", "/sbin", "/sys"];

function systemFolder(p: string): string | undefined {
  const isLib = /^\/lib(32|64|x32)?$/.test(p) || /^\/lib(32|64|x32)?\//.test(p);
  if (isLib || systemFolders.includes(p)) return p;
  return systemTrees.find((t) => p.startsWith(`${t}/`));
}

const inside = (child: string, parent: string) =>
  child === parent || child.startsWith(parent.endsWith("/") ? parent : `${parent}/`);

/**
 * Folders an action writes to or deletes in (a kind's doctor plan says which) must not be a system
 * folder, nor agent.data_dir or a folder that holds it: a cleanup there would delete the agent's own
 * database and keys. A folder inside it (`<data_dir>/logs`, the services' logs) is fine.
 */
function folderProblems(c: VigilConfig, add: (path: (string | number)[], message: string) => void): void {
  const dataDir = path.resolve(c.agent.data_dir);
  for (const [name, a] of Object.entries(c.actions)) {
    const { kind, settings } = kindOf(a);
    const plan = kind.doctor(settings, a);
    if (!("folders" in plan) || !plan.folders.writable) continue;
    plan.folders.paths.forEach((folder, i) => {
      const at = ["actions", name, ...plan.folders.field.split("."), ...(plan.folders.one ? [] : [i])];
      const written = path.resolve(folder);
      let real = written;
      try {
        real = fs.realpathSync(written);
      } catch {
        // not there yet: the written path is all there is to judge
      }
      const system = systemFolder(written) ?? systemFolder(real);
      if (system !== undefined) {
        add(
          at,
          `${written} is a system folder (${system}); name a folder of your own, such as ${plan.folders.field.startsWith("backup") ? "/var/backups/myapp" : "/var/log/myapp"}`,
        );
      } else if ([written, real].some((p) => inside(dataDir, p))) {
        add(
          at,
          `${written} is or holds agent.data_dir (${dataDir}), where the agent keeps its database and keys; name a folder outside it (its logs/ folder is fine)`,
        );
      }
    });
  }
}

/**
 * Each backup action owns its folder: rotation keeps one action's `keep` and removes every other dump
 * of Vigil's there, so two actions sharing a folder (or one inside the other's) would delete each
 * other's backups.
 */
function backupFolderProblems(
  c: VigilConfig,
  add: (path: (string | number)[], message: string) => void,
): void {
  const seen: [string, string][] = [];
  for (const [name, a] of Object.entries(c.actions)) {
    const { type, settings } = kindOf(a);
    if (type !== "backup") continue;
    const to = (settings as { to: string }).to;
    const other = seen.find(([, dir]) => inside(to, dir) || inside(dir, to));
    if (other)
      add(
        ["actions", name, "backup", "to"],
        `${to} is also where the backup action "${other[0]}" writes (${other[1]}); give each backup action a folder of its own`,
      );
    seen.push([name, to]);
  }
}

/** The paths in the parsed config that `pattern` ("*" for any name) names and that are written. */
function present(value: unknown, pattern: readonly string[], at: string[] = []): string[][] {
  if (value === undefined) return [];
  if (pattern.length === 0) return [at];
  if (value === null || typeof value !== "object") return [];
  const [head = "", ...rest] = pattern;
  const keys = head === "*" ? Object.keys(value) : [head];
  return keys.flatMap((k) => present((value as Record<string, unknown>)[k], rest, [...at, k]));
}

function list(names: string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

/** The first dependency cycle among services, as a path that starts and ends on the same name. */
function findCycle(c: VigilConfig): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of c.services[name]?.depends_on ?? []) {
      if (dep in c.services && dep !== name) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of Object.keys(c.services)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
