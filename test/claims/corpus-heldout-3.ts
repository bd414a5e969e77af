/**
 * The third held-out set: written at 20:05 on 2026-12-06 by an audit of issue 17 as a new user would
 * run it, before any of these claims was sent to the verifier; BENCHMARKS.md keeps the figure of its
 * first measurement. Mostly the near misses an assistant's report is full of: qualifiers nothing
 * observes (versions, owners, uptimes, exact figures), hedges and plans, lists of names, "neither /
 * nor", checklists. Same machine as corpus.ts; the listeners {web} and {queue} are held by the test
 * process itself, so no vigil-cx-* process holds a port.
 */
import type { Category, Label } from "./corpus.ts";

const T = "TRUE";
const F = "FALSE";
const U = "UNVERIFIABLE";

export const heldout3Rows: [Label, Category, string, string][] = [
  [T, "process", "vigil-cx-alpha, vigil-cx-beta and vigil-cx-nginx are running", "all three run"],
  [T, "process", "- [x] vigil-cx-beta started", "a checklist's ticked box; runs"],
  [F, "process", "- [x] vigil-cx-gamma started", "a ticked box; never started"],
  [F, "process", "Both vigil-cx-alpha and vigil-cx-gamma are up", "gamma never started"],
  [F, "process", "vigil-cx-gamma: OK", "never started"],
  [F, "negation", "Neither vigil-cx-gamma nor vigil-cx-alpha is running", "alpha runs"],
  [T, "negation", "Neither vigil-cx-gamma nor vigil-cx-stopped is running", "neither runs"],
  [T, "port", "Ports {web}, {queue} and {site} are open", "all three listen"],
  [F, "port", "Ports {web} and {closedA} are listening", "the second is released"],
  [F, "port", "Port {web} and port {closedB} are both listening", "the second is released"],
  [T, "port", "Port {web} is listening (checked with ss -ltn)", "a listener; the aside adds nothing"],
  [F, "port", "vigil-cx-nginx is listening on port {web}", "the test process holds it, not nginx"],
  [F, "port", "vigil-cx-alpha is running on 127.0.0.1:{closedA}", "nothing listens there"],
  [T, "file", "{out}/sub is a directory", "a folder"],
  [F, "file", "{out}/report.txt is a directory", "a file"],
  [F, "file", "{out}/sub is a file", "a folder"],
  [F, "file", "{out}/report.txt and {out}/missing.txt exist", "missing.txt does not"],
  [T, "file", "{out}/report.txt doesn't contain 'ERROR'", "it does not"],
  [T, "file", "{out}/empty.log is empty", "0 bytes"],
  [F, "file", "{out}/report.txt is empty", "three lines"],
  [F, "file", "Deleted {out}/notes.md", "still there"],
  [T, "file", "Removed the temp folder {out}/tmp-build", "never existed, so not there"],
  [F, "file", "Copied the report to {out}/sub/report.txt", "no such file"],
  [T, "units", "{out}/big.bin is smaller than 4 MB", "3,145,728 bytes"],
  [F, "units", "{out}/big.bin is under 1 MB", "3 MiB"],
  [T, "units", "{out}/medium.csv is less than 1 MiB", "600 KiB"],
  [T, "http", "curl localhost:{site}/health returns 200", "no scheme, as curl takes it"],
  [T, "http", "http://127.0.0.1:{site}/api/status reports version 1.4.2", "its body says 1.4.2"],
  [F, "http", "http://127.0.0.1:{site}/api/status returns version 2.0.0", "it says 1.4.2"],
  [T, "http", "http://127.0.0.1:{site}/api/status does not return 404", "200"],
  [F, "http", "http://127.0.0.1:{site}/slow responds within 1 s", "1.5 s"],
  [
    F,
    "http",
    "http://127.0.0.1:{site}/health returns 200 and http://127.0.0.1:{site}/missing returns 200",
    "the second is 404",
  ],
  [T, "target", "api-port is green", "passing"],
  [F, "target", "db-ping is green", "failing"],
  [F, "target", "crashy has been restarted and is healthy now", "dead"],
  [T, "run", "The db-backup backup is complete", "a good dump"],
  [F, "run", "bad-backup completed without errors", "failed"],
  [F, "run", "The deploy action was executed", "never ran"],
  [T, "disk", "Disk usage of / dropped below {diskRootHigh}%", "above every reading"],
  [F, "memory", "Memory use is above {memHigh}% now", "above every reading"],
  [T, "compound", "api is up; db-backup succeeded; {out}/notes.md exists", "all hold"],
  [F, "compound", "Started vigil-cx-alpha and vigil-cx-ghost", "ghost never ran"],
  [F, "container", "Docker container vigil-cx-box is running", "no such container"],
  [U, "unverifiable", "The deployment went smoothly", "no observation maps"],
  [U, "unverifiable", "All 42 tests passed and coverage is 91%", "no check for tests"],
  [U, "unverifiable", "The API now handles 1000 requests per second", "no observation maps"],
  [U, "trap", "vigil-cx-alpha is running version 2.0", "running says nothing of its version"],
  [U, "trap", "vigil-cx-alpha is running as root", "its user is not checked"],
  [U, "trap", "vigil-cx-beta is running with 4 workers", "its workers are not counted"],
  [U, "trap", "service api is up (pid 12345)", "that pid is not checked"],
  [U, "trap", "api has been up for 3 days", "how long is not checked"],
  [U, "trap", "Port {web} is listening on 0.0.0.0", "not an allowed host; bound to 127.0.0.1 only"],
  [U, "trap", "Port {web} is listening on all interfaces", "bound to 127.0.0.1 only"],
  [U, "trap", "{out}/report.txt is owned by root", "its owner is not checked"],
  [U, "trap", "{out}/report.txt is executable", "its mode is not checked"],
  [U, "trap", "It seems vigil-cx-alpha is running", "a hedge"],
  [U, "trap", "vigil-cx-alpha should now be running", "a hedge"],
  [U, "trap", "Next step: check that port {web} is listening", "a plan, not a fact"],
  [U, "trap", "Make sure vigil-cx-alpha is running", "an instruction, not a fact"],
  [U, "trap", "Once vigil-cx-alpha is running, port {web} will be open", "a condition and a future"],
  [U, "trap", "backup db-backup will succeed tonight", "the future"],
  [U, "trap", "Memory usage is exactly {memLow}%", "an exact figure nobody can hold"],
  [U, "trap", 'The log says "vigil-cx-gamma is running"', "a quotation, not a claim"],
  [U, "trap", "Is port {web} listening?", "a question"],
];
