/**
 * How claims are read, without looking at the machine: the phrasings assistants write, each to the
 * kind and claim it means, and the traps that must not be read as a claim that could come out TRUE.
 */
import { describe, expect, it } from "vitest";
import { readClaim } from "./index.ts";
import type { KnownNames } from "./kind.ts";
import { normalize, splitParts } from "./split.ts";

const known: KnownNames = {
  targets: new Set(["api", "worker", "db-ping", "web"]),
  containers: new Set(["web"]),
  actions: new Set(["backup-db", "reindex", "say-hello"]),
  jobs: new Set(["nightly"]),
};
const read = (claim: string) => readClaim(claim, known);

describe("splitting a claim into parts", () => {
  it.each([
    ["I've started nginx and it's listening on 8080", ["I've started nginx", "it is listening on 8080"]],
    ["api is healthy, and returns 200 on /health.", ["api is healthy", "returns 200 on /health"]],
    [
      "nginx is running; postgres is running, redis is running",
      ["nginx is running", "postgres is running", "redis is running"],
    ],
    ["nginx and postgres are both running", ["nginx are running", "postgres are running"]],
    ['/srv/out/a.txt contains "a, and b; c"', ['/srv/out/a.txt contains "a, and b; c"']],
    ["✅ Done: nginx is up and running now!", ["nginx is running"]],
    ["I can confirm that port 80 isn't listening", ["port 80 isn't listening"]],
    ["nginx is running but postgres is not running", ["nginx is running", "postgres is not running"]],
    ["Verified that nginx is running.", ["nginx is running"]],
    ["Service api: healthy, nginx: not running", ["Service api is healthy", "nginx is not running"]],
    ["nginx, postgres: running", ["nginx is running", "postgres is running"]],
    // Only a name before the colon and a state after it: a text or a path stays as written.
    ["/srv/a.txt contains status: ok", ["/srv/a.txt contains status: ok"]],
    ["Report generated: /srv/out/r.pdf", ["Report generated: /srv/out/r.pdf"]],
    ["Deploy: done", ["Deploy: done"]],
    ["Ports 80, 443 and 8080 are open", ["Port 80 are open", "port 443 are open", "port 8080 are open"]],
    ["Port 80 and port 443 are both listening", ["Port 80 are listening", "port 443 are listening"]],
    ["Port 80 and 443 are listening", ["Port 80 are listening", "port 443 are listening"]],
    ["/srv/a.txt and /srv/b.txt exist", ["/srv/a.txt exist", "/srv/b.txt exist"]],
    ["Neither nginx nor redis is running", ["nginx is not running", "redis is not running"]],
    ["- [x] nginx started", ["nginx started"]],
    // An unticked box is a plan: left as written, so nothing reads it.
    ["- [ ] nginx started", ["[ ] nginx started"]],
    ["curl -s localhost:8080/health returns 200", ["curl -s http://localhost:8080/health returns 200"]],
  ])("%s", (claim, parts) => {
    expect(splitParts(normalize(claim))).toEqual(parts);
  });
});

describe("each part to its kind", () => {
  it.each([
    ["Process postgres is running", "process", { name: "postgres", running: true }],
    ["I've started nginx", "process", { name: "nginx", running: true }],
    ["The worker vigil-x has been started", "process", { name: "vigil-x", running: true }],
    ["There is no java process", "process", { name: "java", running: false }],
    ["redis isn't running", "process", { name: "redis", running: false }],
    ["nginx is no longer running", "process", { name: "nginx", running: false }],
    ["I stopped nginx", "process", { name: "nginx", running: false }],
    ["Port 5432 is listening", "port", { host: "127.0.0.1", port: 5432, listening: true }],
    ["nothing listens on port 6379", "port", { port: 6379, listening: false }],
    ["port 8080 on localhost is closed", "port", { host: "localhost", port: 8080, listening: false }],
    ["Port 80 is listening on ::1", "port", { host: "::1", port: 80, listening: true }],
    ["the web server is listening on port 8080", "port", { port: 8080, listening: true }],
    ["Created file /tmp/report.txt", "file", { test: "created", path: "/tmp/report.txt", is: "file" }],
    ["Saved the report to /srv/out/report.txt", "file", { test: "created", path: "/srv/out/report.txt" }],
    ["/srv/out/r.txt is larger than 2 GB", "file", { test: "size", op: ">", bytes: 2e9 }],
    ["/srv/out/r.txt is smaller than 500 KB", "file", { test: "size", op: "<", bytes: 5e5 }],
    ["/srv/out/r.txt is at least 1.5 MiB", "file", { test: "size", op: ">=", bytes: 1.5 * 1024 * 1024 }],
    ["/srv/out/old.log has been removed", "file", { test: "absent" }],
    ["Service api is healthy", "target", { name: "api", want: "up" }],
    ["worker is down", "target", { name: "worker", want: "down" }],
    ["db-ping is no longer failing", "target", { name: "db-ping", want: "up" }],
    ["Disk usage of / is below 80%", "disk", { path: "/", op: "<", percent: 80 }],
    ["disk usage is at most 90 percent", "disk", { path: "/", op: "<=", percent: 90 }],
    ["There is at least 2 GB free on /srv", "disk", { path: "/srv", op: ">=", freeBytes: 2e9 }],
    ["memory use is under 90%", "memory", { op: "<", percent: 90 }],
    ["container web is running", "container", { name: "web", want: "running" }],
    ["the cache container is healthy", "container", { name: "cache", want: "healthy" }],
    ["the backup backup-db succeeded", "run", { of: "backup", name: "backup-db" }],
    ["job nightly ran successfully", "run", { of: "job", name: "nightly", ok: true }],
    ["the say-hello action ran successfully", "run", { of: "action", name: "say-hello", ok: true }],
    ["reindex failed", "run", { of: "action", name: "reindex", ok: false }],
    [
      "http://127.0.0.1:8001/health returns 200",
      "http",
      { url: "http://127.0.0.1:8001/health", status: 200 },
    ],
    ["curl http://localhost:3000/ returns 404", "http", { url: "http://localhost:3000/", status: 404 }],
    ["http://127.0.0.1:8001/ responds within 500 ms", "http", { withinMs: 500 }],
    ["http://127.0.0.1:8001/ responds within 2 s", "http", { withinMs: 2000 }],
    ["http://127.0.0.1:8001/missing is 404", "http", { status: 404 }],
    [
      "http://127.0.0.1:8001/ returns a body containing uptime_s",
      "http",
      { text: "uptime_s", present: true },
    ],
    ["http://127.0.0.1:8001/ does not return 500", "http", { status: 500, not: true }],
    ["Memory usage exceeds 33%", "memory", { op: ">", percent: 33 }],
    ["/srv/out/big.bin exceeds 1 MB", "file", { test: "size", op: ">", bytes: 1e6 }],
    ["The report is at /srv/out/report.txt", "file", { test: "exists", path: "/srv/out/report.txt" }],
    ["At least 41 GB are free on /srv", "disk", { path: "/srv", op: ">=", freeBytes: 41e9 }],
    ["localhost port 8080 is listening", "port", { host: "localhost", port: 8080, listening: true }],
    ["A service is bound to 127.0.0.1:9000", "port", { port: 9000, listening: true }],
    ["I killed the process on port 8080", "port", { port: 8080, listening: false }],
    ["Port 3000 is in use by node", "port", { port: 3000, listening: true, holder: "node" }],
    ["Vigil reports api as healthy", "target", { name: "api", want: "up" }],
    ["the backup-db action ran without errors", "run", { of: "action", name: "backup-db", ok: true }],
    ["/srv/out/2024 is a directory", "file", { test: "exists", path: "/srv/out/2024", is: "folder" }],
    ["/srv/out/r.txt is a file", "file", { test: "exists", path: "/srv/out/r.txt", is: "file" }],
    ["Disk usage of / dropped below 80%", "disk", { path: "/", op: "<", percent: 80 }],
    ["Memory use has risen above 90%", "memory", { op: ">", percent: 90 }],
    ["The backup-db backup is complete", "run", { of: "backup", name: "backup-db" }],
    ["The reindex action was executed", "run", { of: "action", name: "reindex", ok: true }],
  ])("%s → %s", (claim, kind, parsed) => {
    const parts = read(claim);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatchObject({ kind, claim: parsed });
  });

  it("carries the subject: 'it', and a part that starts with its verb", () => {
    expect(read("I've started nginx and it's listening on 8080")).toMatchObject([
      { kind: "process", claim: { name: "nginx" } },
      { kind: "port", claim: { port: 8080, holder: "nginx" } },
    ]);
    expect(read("api is healthy and returns 200 on /health")).toMatchObject([
      { kind: "target", claim: { name: "api" } },
      { kind: "http", claim: { service: "api", path: "/health", status: 200 } },
    ]);
    expect(read("The api service is up and healthy")).toMatchObject([
      { kind: "target", claim: { name: "api", want: "up" } },
      { kind: "target", claim: { name: "api", want: "up" } },
    ]);
    expect(read("nginx has been restarted and is accepting connections on port 80")).toMatchObject([
      { kind: "process", claim: { name: "nginx" } },
      { kind: "port", claim: { port: 80, holder: "nginx" } },
    ]);
    expect(read("Saved /srv/out/a.txt and /srv/out/b.txt")).toMatchObject([
      { kind: "file", claim: { path: "/srv/out/a.txt" } },
      { kind: "file", claim: { path: "/srv/out/b.txt" } },
    ]);
  });
});

describe("traps: what must not be read as a claim", () => {
  it.each([
    "the tests for nginx are running",
    "the tests are running",
    "tests pass",
    "I started working on nginx",
    "started the build",
    "the deployment is running",
    "everything is up",
    "it is running",
    "the API returns 200",
    "the health endpoint returns 200",
    "the report was saved",
    "Saved the report in the output folder",
    "I fixed the bug in /srv/app/main.py",
    "I looked at port 8080",
    "containers are running",
    "the migration succeeded",
    "backup succeeded",
    "the job succeeded",
    "I ran the tests",
    "disk usage is fine",
    "memory is fine",
    "nginx should be running",
    "nginx will be running",
    "nginx might be running",
    "Neither nginx nor redis is not running",
    "nginx is running version 2.0",
    "nginx is running as root",
    "api has been up for 3 days",
    "Port 8080 is listening on all interfaces",
    "/srv/out/r.txt is owned by root",
    "/srv/out/r.txt is executable",
    "Make sure nginx is running",
    "Next step: check that port 8080 is listening",
  ])("%s", (claim) => {
    for (const p of read(claim)) expect(p, JSON.stringify(p)).toHaveProperty("unverifiable");
  });

  it("a part it cannot map says which, in the words of the claim", () => {
    expect(read("nginx is running and the tests pass")).toEqual([
      { part: "nginx is running", kind: "process", claim: { name: "nginx", running: true } },
      { part: "the tests pass", unverifiable: "no check for 'the tests pass'" },
    ]);
    expect(read("it is listening on 80")[0]).toEqual({
      part: "it is listening on 80",
      unverifiable: "'it' in 'it is listening on 80' names nothing before it",
    });
  });
});
