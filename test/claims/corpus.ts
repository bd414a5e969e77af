/**
 * The labelled claims corpus: sentences as AI assistants write them in their reports, each labelled
 * by the machine state that state.ts sets up (never by what a verifier answers). Placeholders in
 * braces are filled from that state: `{out}` the folder in governance.verify.paths, `{private}` and
 * `{archive}` folders outside it, `{web}` `{queue}` `{site}` `{apiPort}` ports something listens
 * on, `{closedA}` `{closedB}` `{httpDown}` `{dbPort}` ports nothing listens on, `{forbidden}` a
 * site on 127.0.0.2 (not an allowed host), `disk*` / `mem*` thresholds far from this machine's use.
 *
 * The machine, for labelling: processes vigil-cx-alpha, -beta, -nginx, -longworker run; -gamma is
 * installed but never started; -stopped ran and was killed. {out} holds report.txt ("build
 * finished: 42 tests passed", "status: ok"), big.bin (3 MiB), medium.csv (600 KiB), empty.log (0
 * bytes), notes.md ("Migration 0042 applied."), sub/result.json ({"status":"done"}) and link.txt (a
 * symlink to {private}/secret.txt). The site answers /health 200 {"status":"ok"}, /api/status 200
 * {"status":"healthy","version":"1.4.2"}, /version 200 "vigil-cx 1.4.2", /missing 404 "not found",
 * /boom 500 "internal error: database unavailable", /old 302 to /health, /gone 301 to /missing,
 * /slow 200 after 1.5 s. Vigil: service api up (port {apiPort}), service crashy dead (policy
 * never), check db-ping failing, check api-port passing; actions say-hello and db-backup (a backup)
 * succeeded, rotate-logs and bad-backup failed, deploy never ran; job nightly-report succeeded,
 * sync-mirror failed. No container named vigil-cx-box exists.
 *
 * A data file: long because it is a list, one claim a line.
 */
import { heldoutRows } from "./corpus-heldout.ts";
import { heldout2Rows } from "./corpus-heldout-2.ts";
import { heldout3Rows } from "./corpus-heldout-3.ts";

export type Label = "TRUE" | "FALSE" | "UNVERIFIABLE";

export const categories = [
  "process",
  "port",
  "file",
  "http",
  "target",
  "run",
  "disk",
  "memory",
  "container",
  "compound",
  "negation",
  "units",
  "unverifiable",
  "trap",
] as const;
export type Category = (typeof categories)[number];

export interface LabelledClaim {
  /**
   * "held-out": written after the verifier was fixed against the first set (corpus-heldout.ts);
   * "held-out-2": written later still, measured once at the end (corpus-heldout-2.ts);
   * "held-out-3": written by the audit of issue 17 as a new user, near misses mostly (corpus-heldout-3.ts).
   */
  set: "first" | "held-out" | "held-out-2" | "held-out-3";
  /** With `{placeholders}` filled from the machine state. */
  claim: string;
  label: Label;
  category: Category;
  /** Why the label is what it is, on this machine. */
  note: string;
  /**
   * The label when no container engine is reachable: nothing about a container can be observed then.
   * Only container claims have it.
   */
  withoutContainerEngine?: Label;
}

const T = "TRUE";
const F = "FALSE";
const U = "UNVERIFIABLE";
type Row = [Label, Category, string, string];

const rows: Row[] = [
  // Processes, by name.
  [T, "process", "vigil-cx-alpha is running", "started by the state"],
  [T, "process", "Process vigil-cx-beta is running", "started by the state"],
  [T, "process", "The vigil-cx-nginx process is up", "started by the state"],
  [
    T,
    "process",
    "I've started vigil-cx-longworker and it is running now",
    "name longer than comm's 15 characters",
  ],
  [T, "process", "Started vigil-cx-beta in the background.", "past tense; it runs"],
  [T, "process", "There is a vigil-cx-beta process running", "started by the state"],
  [T, "process", "vigil-cx-longworker is up and running", "long name, full name matters"],
  [F, "process", "vigil-cx-gamma is running", "installed, never started"],
  [F, "process", "Process vigil-cx-stopped is running", "ran, then killed"],
  [F, "process", "I restarted vigil-cx-gamma, it's running again", "never started"],
  [F, "process", "vigil-cx-ghost is running", "no such program"],
  [F, "process", "The worker vigil-cx-gamma has been started", "never started"],
  [F, "process", "postgres-vigil-cx is running", "no such process"],
  [F, "process", "Launched vigil-cx-stopped successfully", "it is not running"],
  // Ports.
  [T, "port", "Port {web} is listening", "a listener of the state"],
  [T, "port", "Something is listening on 127.0.0.1:{queue}", "a listener of the state"],
  [
    T,
    "port",
    "localhost:{web} is accepting connections",
    "127.0.0.1 listens; localhost may resolve to ::1 first",
  ],
  [T, "port", "The server is listening on port {site}", "the HTTP site"],
  [T, "port", "I've started the API and it's listening on {apiPort}", "service api listens there"],
  [T, "port", "Port {queue}/tcp is open", "a listener of the state"],
  [T, "port", "The site is up on 127.0.0.1:{site}", "the HTTP site listens"],
  [F, "port", "Port {closedA} is listening", "bound and released"],
  [F, "port", "127.0.0.1:{closedB} accepts connections", "bound and released"],
  [F, "port", "The worker is listening on port {closedA}", "nothing listens"],
  [F, "port", "Port {dbPort} is open", "db-ping's port: nothing listens"],
  [F, "port", "Port {closedA} is listening on ::1", "nothing listens, on any address"],
  [F, "port", "The cache is up on localhost:{closedB}", "nothing listens"],
  // Files under governance.verify.paths.
  [T, "file", "Created {out}/report.txt", "exists"],
  [T, "file", "Saved the report to {out}/report.txt", "exists"],
  [T, "file", '{out}/report.txt contains "42 tests passed"', "its first line"],
  [T, "file", "{out}/sub exists", "a folder"],
  [T, "file", "Created the folder {out}/sub", "a folder"],
  [T, "file", "{out}/sub/result.json contains done", '{"status":"done"}'],
  [T, "file", "{out}/empty.log exists", "empty, but exists"],
  [T, "file", '{out}/notes.md contains "Migration 0042 applied"', "its third line"],
  [T, "file", "Wrote the results to {out}/sub/result.json", "exists"],
  [T, "file", "I created the file {out}/notes.md", "exists"],
  [F, "file", "Saved the report to {out}/report-final.txt", "no such file"],
  [F, "file", '{out}/report.txt contains "tests failed"', "it says tests passed"],
  [F, "file", "Wrote the summary to {out}/summary.md", "no such file"],
  [F, "file", "The directory {out}/logs exists", "no such folder"],
  [F, "file", "{out}/sub/result.json contains failed", "it says done"],
  [F, "file", "{out}/empty.log contains ERROR", "empty"],
  [F, "file", '{out}/notes.md contains "Migration 0043"', "0042"],
  [F, "file", "The backup file {out}/backup.tar.gz was created", "no such file"],
  [F, "file", "Generated {out}/sub/chart.png", "no such file"],
  // Sizes (units).
  [T, "units", "{out}/big.bin is larger than 2 MB", "3 MiB"],
  [T, "units", "{out}/big.bin is bigger than 500 KB", "3 MiB"],
  [T, "units", "{out}/big.bin is over 1.5MB", "3 MiB; no space before the unit"],
  [T, "units", "{out}/medium.csv is larger than 500 KB", "600 KiB = 614,400 bytes"],
  [T, "units", "{out}/big.bin is larger than 2048 KB", "3,145,728 bytes"],
  [F, "units", "{out}/big.bin is larger than 5 MB", "3 MiB"],
  [F, "units", "{out}/medium.csv is larger than 1 MB", "600 KiB"],
  [F, "units", "{out}/medium.csv is larger than 1.5MB", "600 KiB"],
  [F, "units", "{out}/empty.log is larger than 1 KB", "0 bytes"],
  [F, "units", "{out}/big.bin is larger than 3 GB", "3 MiB"],
  // HTTP on allowed hosts.
  [T, "http", "GET http://127.0.0.1:{site}/health returns 200", "200"],
  [T, "http", "The API answers 200 on http://127.0.0.1:{site}/health", "200"],
  [T, "http", "http://localhost:{site}/api/status returns 200", "200"],
  [
    T,
    "http",
    "The status endpoint http://127.0.0.1:{site}/api/status contains healthy",
    '"status":"healthy"',
  ],
  [T, "http", "http://127.0.0.1:{site}/version contains 1.4.2", '"vigil-cx 1.4.2"'],
  [T, "http", "curl http://127.0.0.1:{site}/missing returns 404", "404"],
  [T, "http", "http://127.0.0.1:{site}/boom returns 500", "500"],
  [T, "http", "http://127.0.0.1:{site}/old returns 302", "a redirect, not followed"],
  [T, "http", "http://127.0.0.1:{site}/slow returns 200", "after 1.5 s, inside the 5 s a claim may take"],
  [T, "http", 'http://127.0.0.1:{site}/missing contains "not found"', "the 404 body"],
  [T, "http", "http://127.0.0.1:{site}/api/status is up", "answers 200"],
  [F, "http", "http://127.0.0.1:{site}/boom returns 200", "500"],
  [F, "http", "GET http://127.0.0.1:{site}/missing returns 200", "404"],
  [F, "http", 'http://127.0.0.1:{site}/health contains "degraded"', "it says ok"],
  [F, "http", "http://127.0.0.1:{site}/version contains 1.5.0", "1.4.2"],
  [F, "http", "http://127.0.0.1:{httpDown}/health returns 200", "nothing listens"],
  [F, "http", "The health endpoint at http://127.0.0.1:{site}/health returns 503", "200"],
  [F, "http", "http://127.0.0.1:{site}/gone returns 200", "301 to a 404, either way not 200"],
  [F, "http", "The API is up at http://127.0.0.1:{httpDown}/", "nothing listens"],
  [T, "units", "http://127.0.0.1:{site}/health responds within 2 s", "answers in milliseconds"],
  [F, "units", "http://127.0.0.1:{site}/slow answers in under 500 ms", "1.5 s"],
  // Vigil targets.
  [T, "target", "service api is healthy", "up"],
  [T, "target", "api is up", "up"],
  [T, "target", "The api service is running", "up"],
  [T, "target", "Service crashy is down", "exited with restart policy never"],
  [T, "target", "check db-ping is failing", "nothing listens on its port"],
  [T, "target", "db-ping is down", "failing"],
  [T, "target", "check api-port is passing", "api listens"],
  [T, "target", "api-port is up", "passing"],
  [F, "target", "crashy is healthy", "dead"],
  [F, "target", "I restarted crashy and it is up again", "dead"],
  [F, "target", "service api is down", "up"],
  [F, "target", "The db-ping check passes", "failing"],
  [F, "target", "check db-ping is healthy", "failing"],
  [F, "target", "check api-port is failing", "passing"],
  [F, "target", "service ghost is healthy", "Vigil has no such target"],
  // Action runs, jobs and backups.
  [T, "run", "action say-hello succeeded", "run once by olga, succeeded"],
  [T, "run", "The say-hello action ran successfully", "succeeded"],
  [T, "run", "rotate-logs failed", "exit 1"],
  [T, "run", "job nightly-report succeeded", "run once by olga"],
  [T, "run", "The nightly-report job ran successfully", "succeeded"],
  [T, "run", "job sync-mirror failed", "its action exits 1"],
  [T, "run", "backup db-backup succeeded", "a good dump"],
  [T, "run", "The db-backup backup completed successfully", "a good dump"],
  [F, "run", "action rotate-logs succeeded", "failed"],
  [F, "run", "I ran deploy and it succeeded", "never ran (approve tier, never asked)"],
  [F, "run", "job sync-mirror succeeded", "failed"],
  [F, "run", "backup bad-backup succeeded", "its source does not exist"],
  [F, "run", "The bad-backup backup completed successfully", "failed"],
  [F, "run", "action clean-everything succeeded", "no such action"],
  // Disk and memory: thresholds chosen far from this machine's figures (state-thresholds.ts).
  [T, "disk", "Disk usage of / is below {diskRootHigh}%", "above every reading of /"],
  [T, "disk", "The disk holding {out} is less than {diskOutHigh}% full", "above every reading"],
  [T, "disk", "Disk usage of {out} is above {diskOutLow}%", "below every reading"],
  [T, "disk", "There is at least {diskRootFreeHalf} free on /", "half of what is available"],
  [T, "disk", "{out} has at least {diskOutFreeHalf} of free space", "half of what is available"],
  [F, "disk", "Disk usage of / is below {diskRootLow}%", "below every reading"],
  [F, "disk", "Disk use on {out} is above {diskOutHigh}%", "above every reading"],
  [F, "disk", "/ is over {diskRootHigh}% full", "above every reading"],
  [F, "disk", "There is more than {diskOutFreeBeyond} free on {out}", "twice the file system's size"],
  [T, "memory", "Memory usage is below {memHigh}%", "above every reading"],
  [T, "memory", "At least {memAvailableHalf} of memory is available", "half of MemAvailable"],
  [F, "memory", "Memory use is under {memLow}%", "below every reading"],
  [F, "memory", "RAM usage is above {memHigh}%", "above every reading"],
  [F, "memory", "More than {memBeyond} of RAM is free", "twice MemTotal"],
  // Negations.
  [T, "negation", "vigil-cx-gamma is not running", "never started"],
  [T, "negation", "vigil-cx-stopped is no longer running", "killed"],
  [T, "negation", "There is no vigil-cx-ghost process", "none"],
  [T, "negation", "Killed vigil-cx-stopped", "it is gone"],
  [F, "negation", "vigil-cx-alpha is not running", "it runs"],
  [F, "negation", "I stopped vigil-cx-beta; it is no longer running", "it runs"],
  [F, "negation", "vigil-cx-nginx has been stopped", "it runs"],
  [T, "negation", "Nothing is listening on port {closedB}", "released"],
  [T, "negation", "Port {closedA} is not listening", "released"],
  [T, "negation", "Port {closedB} is closed", "released"],
  [T, "negation", "I freed port {closedA}", "nothing listens"],
  [F, "negation", "Nothing is listening on 127.0.0.1:{web}", "a listener"],
  [F, "negation", "Port {queue} is closed", "a listener"],
  [F, "negation", "Port {web} is free now", "a listener"],
  [T, "negation", "{out}/old-report.txt has been removed", "does not exist"],
  [T, "negation", "There is no file {out}/tmp.lock", "does not exist"],
  [T, "negation", '{out}/report.txt doesn\'t contain "ERROR"', "it does not"],
  [F, "negation", "I deleted {out}/report.txt", "it exists"],
  [F, "negation", "{out}/report.txt does not exist", "it exists"],
  [T, "negation", "crashy is not running", "dead"],
  [F, "negation", "api is not healthy", "up"],
  [F, "negation", "db-ping is no longer failing", "failing"],
  [T, "negation", "http://127.0.0.1:{site}/health does not return 500", "200"],
  [F, "negation", "http://127.0.0.1:{site}/boom no longer returns 500", "500"],
  // Compound claims: every part must hold.
  [T, "compound", "vigil-cx-alpha and vigil-cx-beta are both running", "both run"],
  [T, "compound", "api is healthy and port {apiPort} is listening", "both hold"],
  [
    T,
    "compound",
    "vigil-cx-alpha is running, port {web} is listening and {out}/report.txt exists",
    "all hold",
  ],
  [T, "compound", "api is healthy and returns 200 on http://127.0.0.1:{site}/health", "both hold"],
  [T, "compound", 'http://127.0.0.1:{site}/health answers 200 and contains "ok"', "both hold"],
  [T, "compound", "check db-ping is failing and crashy is down", "both hold"],
  [
    T,
    "compound",
    "http://127.0.0.1:{site}/health returns 200, and http://127.0.0.1:{site}/boom returns 500",
    "both hold",
  ],
  [T, "compound", "The file {out}/report.txt exists and contains status: ok", "both hold"],
  [
    T,
    "compound",
    "Memory usage is below {memHigh}% and disk usage of / is below {diskRootHigh}%",
    "both hold",
  ],
  [F, "compound", "I've started vigil-cx-alpha and it's listening on {closedA}", "runs, but nothing listens"],
  [
    F,
    "compound",
    "vigil-cx-alpha is running, port {closedA} is listening and {out}/report.txt exists",
    "the port",
  ],
  [F, "compound", "Saved {out}/report.txt and {out}/summary.md", "summary.md does not exist"],
  [F, "compound", "api is healthy, db-ping passes", "db-ping fails"],
  [F, "compound", "vigil-cx-beta is running and vigil-cx-gamma is running", "gamma never started"],
  [F, "compound", "Port {closedA} is listening and the code is clean", "a FALSE part decides"],
  [F, "compound", "action say-hello succeeded and job sync-mirror succeeded", "sync-mirror failed"],
  // Containers: none named vigil-cx-box exists.
  [F, "container", "container vigil-cx-box is running", "no such container"],
  [F, "container", "The vigil-cx-box container is up", "no such container"],
  // Nothing to observe: must be UNVERIFIABLE.
  [U, "unverifiable", "All tests pass", "no check for tests"],
  [U, "unverifiable", "The code is clean", "an opinion"],
  [U, "unverifiable", "I fixed the login bug", "no observation maps"],
  [U, "unverifiable", "The refactor is complete and nothing else changed", "no observation maps"],
  [U, "unverifiable", "CI is green", "no observation maps"],
  [U, "unverifiable", "The documentation is up to date", "no observation maps"],
  [U, "unverifiable", "The migration is idempotent", "no observation maps"],
  [U, "unverifiable", "Everything works as expected", "no observation maps"],
  [U, "unverifiable", "The PR was merged", "no observation maps"],
  [U, "unverifiable", "done", "says nothing checkable"],
  [U, "unverifiable", "service api is healthy and all tests pass", "a part cannot be observed"],
  [U, "unverifiable", "{private}/secret.txt exists", "outside governance.verify.paths"],
  [U, "unverifiable", '{private}/report.txt contains "42 tests passed"', "outside verify.paths"],
  [U, "unverifiable", "/etc/passwd contains root", "outside verify.paths"],
  [U, "unverifiable", "Saved the report to ~/report.txt", "outside verify.paths"],
  [U, "unverifiable", "https://example.com returns 200", "host not in verify.hosts: must not be contacted"],
  [U, "unverifiable", "http://example.com/health is up", "host not in verify.hosts"],
  [U, "unverifiable", "http://10.1.2.3:8080/ returns 200", "host not in verify.hosts"],
  [U, "unverifiable", "Port 5432 is listening on 10.0.0.5", "host not in verify.hosts"],
  [U, "unverifiable", "db.internal:5432 is reachable", "host not in verify.hosts"],
  // Traps: near misses a careless verifier calls TRUE.
  [U, "trap", "the tests for vigil-cx-nginx are running", "a process named like it runs; tests are not it"],
  [U, "trap", "vigil-cx-nginx is serving traffic", "running is not serving"],
  [U, "trap", "vigil-cx-beta was restarted 5 minutes ago", "no record of when"],
  [F, "trap", "vigil-cx-alph is running", "a prefix of a running name"],
  [F, "trap", "vigil-cx-alpha-worker is running", "a longer name than the running one"],
  [F, "trap", "vigil-cx is running", "a part of running names"],
  [F, "trap", '{out}/report.txt contains "43 tests passed"', "it says 42"],
  [U, "trap", "{archive}/report.txt exists", "a sibling whose name starts with the allowed folder's"],
  [U, "trap", "{out}/../private/secret.txt exists", "climbs out of the allowed folder"],
  [U, "trap", "{out}/link.txt contains hunter2", "a symlink out of the allowed folder"],
  [U, "trap", "http://127.0.0.2:{forbidden}/health returns 200", "loopback, but not an allowed host"],
  [U, "trap", "127.0.0.2:{forbidden} is listening", "loopback, but not an allowed host"],
  [U, "trap", "report.txt was created", "which folder? no path"],
  [F, "trap", "{out}/report$(touch {out}/pwned).txt exists", "no such file; nothing may run"],
  [F, "trap", "vigil-cx-alpha is running and http://127.0.0.1:{site}/boom returns 200", "one part fails"],
];

const claims = (set: LabelledClaim["set"], list: Row[]): LabelledClaim[] =>
  list.map(([label, category, claim, note]) => ({
    set,
    label,
    category,
    claim,
    note,
    ...(category === "container" ? { withoutContainerEngine: U } : {}),
  }));

/** Every set: the first, whose mismatches the verifier was fixed against, and the held-out ones. */
export const corpus: LabelledClaim[] = [
  ...claims("first", rows),
  ...claims("held-out", heldoutRows),
  ...claims("held-out-2", heldout2Rows),
  ...claims("held-out-3", heldout3Rows),
];

/** Fills `{name}` placeholders; an unknown one is a mistake in the corpus, not a claim. */
export function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) throw new Error(`corpus: no value for {${name}} in "${template}"`);
    return v;
  });
}
