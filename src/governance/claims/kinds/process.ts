/**
 * `process`: a process runs, or does not, found by name in /proc (its comm, or its argv[0]'s base
 * name). "Process postgres is running", "I've started nginx", "redis is not running", "I stopped
 * nginx". A name that is a word for an activity ("the tests are running") is no process.
 */
import path from "node:path";
import { readProcText, safeReaddir } from "../../../core/procfs.ts";
import { defineKind, notSeen, seen, type Parsed } from "../kind.ts";
import { NAME, WHO, plausibleName, whole } from "../words.ts";

interface ProcessClaim {
  name: string;
  running: boolean;
}

/** "nginx process", "the x worker process": what it is, once or as "worker process". */
const SUFFIX = String.raw`(?:(?: daemon| server| worker)(?: process(?:es)?)?| process(?:es)?)?`;
/** "the worker X", "the daemon X": a word for a process before its name. */
const PREFIX = String.raw`(?:the )?(?:(?:process(?:es)?|worker|daemon|program|binary)(?: named| called)? )?`;
const NOT = String.raw`(?:is not|isn't|is no longer|are not|aren't|are no longer|was not|wasn't)`;
const AFTER = String.raw`(?: again| in the background| successfully| now)?`;

const patterns: { re: RegExp; running: boolean }[] = [
  {
    re: whole(String.raw`${PREFIX}${NAME}${SUFFIX} (?:is|are) (?:running|alive|started|up|active)`),
    running: true,
  },
  {
    re: whole(
      String.raw`${PREFIX}${NAME}${SUFFIX} (?:runs|started|has started|has been started|was started|has been restarted|was restarted|restarted|has been launched|was launched)${AFTER}`,
    ),
    running: true,
  },
  {
    re: whole(
      String.raw`${WHO}(?:started|restarted|launched|relaunched|brought up|spun up)(?: the)? ${NAME}${SUFFIX}${AFTER}`,
    ),
    running: true,
  },
  {
    re: whole(String.raw`(?:there (?:is|are) )?(?:a |an )?${NAME} process(?:es)? (?:is |are )?running`),
    running: true,
  },
  { re: whole(String.raw`${PREFIX}${NAME}${SUFFIX} ${NOT} running`), running: false },
  {
    re: whole(
      String.raw`${PREFIX}${NAME}${SUFFIX} (?:is|has been|was) (?:stopped|killed|terminated|shut down|dead|gone)`,
    ),
    running: false,
  },
  {
    re: whole(String.raw`${PREFIX}${NAME}${SUFFIX} (?:has stopped|stopped|has exited|exited|died|has died)`),
    running: false,
  },
  {
    re: whole(String.raw`${WHO}(?:stopped|killed|terminated|shut down)(?: the)? ${NAME}${SUFFIX}`),
    running: false,
  },
  {
    re: whole(
      String.raw`(?:there (?:is|are) )?no ${NAME} process(?:es)?(?: (?:is|are) running| running| left)?`,
    ),
    running: false,
  },
  {
    re: whole(
      String.raw`(?:there (?:is|are) )?no process(?:es)? (?:named|called) ${NAME}(?: (?:is|are) running| running| left)?`,
    ),
    running: false,
  },
];

export default defineKind<ProcessClaim>({
  type: "process",
  description: "A process runs (or does not), by its name in /proc: comm or argv[0]'s base name.",
  rank: 60,
  examples: [
    "Process postgres is running",
    "I've started nginx",
    "nginx is running",
    "the redis-server process is running",
    "postgres is not running",
    "I stopped nginx",
    "no java process is running",
    "nginx has stopped",
    "nginx: running",
    "Verified that nginx is running",
    "The vigil-x worker process is up",
  ],
  refuses: [
    "the tests for nginx are running",
    "the tests are running",
    "I started working on nginx",
    "started the build",
    "nginx tests are running",
    "it is running",
  ],
  parse(part): Parsed<ProcessClaim> {
    for (const { re, running } of patterns) {
      const name = re.exec(part.text)?.[1];
      if (plausibleName(name)) return { claim: { name, running }, subject: name };
    }
    return undefined;
  },
  async observe({ name, running }, _sources, signal) {
    const what = `process ${name}`;
    const expected = running ? "running" : "not running";
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    const found = processesNamed(name);
    if (found === undefined) return [notSeen(what, expected, "/proc cannot be read here")];
    const { pids, kin } = found;
    // "redis" where redis-server runs: likely meant, not the name said. Neither TRUE nor an alarm.
    if (pids.length === 0 && kin.length > 0)
      return [
        notSeen(
          what,
          expected,
          `no process named ${name}, but ${kin.slice(0, 3).join(", ")} runs: name it exactly`,
        ),
      ];
    const observed =
      pids.length === 0
        ? `no process named ${name}`
        : `${pids.length} process${pids.length > 1 ? "es" : ""} (pid ${pids.slice(0, 5).join(", ")}${pids.length > 5 ? ", …" : ""})`;
    return [seen(what, expected, observed, pids.length > 0 === running)];
  },
});

/**
 * Pids (not zombies) whose comm or argv[0]'s base name is `name` (in any case), and the names of
 * processes of its family ("redis-server", "python3" for "python"); undefined without /proc.
 */
export function processesNamed(name: string): { pids: number[]; kin: string[] } | undefined {
  const entries = safeReaddir("/proc");
  if (entries.length === 0) return undefined;
  const want = name.toLowerCase();
  // comm holds at most 15 characters: a longer name is found by argv[0] alone.
  const byComm = want.length <= 15;
  // A daemon's usual names for itself: redis-server, mysqld, php-fpm8.2, python3. Not any name that
  // starts with it: vigil-cx is not vigil-cx-alpha.
  const family = new RegExp(
    `^${want.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:-server|-daemon|d|-fpm)?[\\d.]*$`,
  );
  const pids: number[] = [];
  const kin = new Set<string>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readProcText(`/proc/${entry}/stat`);
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      const comm = readProcText(`/proc/${entry}/comm`).trim();
      const argv0 = path.basename(readProcText(`/proc/${entry}/cmdline`).split("\0")[0] ?? "");
      if ((byComm && comm.toLowerCase() === want) || argv0.toLowerCase() === want) pids.push(Number(entry));
      // argv[0] first: comm may be cut at 15 characters.
      else if (kin.size < 10) {
        const named = [argv0, comm].find((n) => family.test(n.toLowerCase()));
        if (named !== undefined) kin.add(named);
      }
    } catch {
      // Gone between readdir and read.
    }
  }
  return { pids, kin: [...kin] };
}
