import { describe, expect, it } from "vitest";
import { load, problems } from "../../test/helpers/config.ts";
import { runsShared, sharedDefinitions } from "./shared-config.ts";

const config = (checks: string, env: NodeJS.ProcessEnv = {}) => load(`checks:\n${checks}`, env).config;
/** The definitions an agent with these checks publishes, secrets masked as the loader found them. */
function defs(checks: string, env: NodeJS.ProcessEnv = {}): Record<string, string> {
  const r = load(`checks:\n${checks}`, env);
  return sharedDefinitions(r.config, r.secrets);
}

describe("shared checks in the config", () => {
  it("shares what reads no host by default, a command when asked, and never what reads this host", () => {
    const c = config(
      [
        '  web: { http: { url: "http://127.0.0.1:1/" } }',
        '  web-here: { http: { url: "http://127.0.0.1:1/" }, run_on: self }',
        "  port: { tcp: { port: 5432 } }",
        '  job: { command: { run: ["true"] } }',
        '  job-any: { command: { run: ["true"] }, run_on: any }',
        '  disk: { disk: { path: "/" } }',
      ].join("\n") + "\n",
    );
    const shared = Object.fromEntries(Object.entries(c.checks).map(([n, check]) => [n, runsShared(check)]));
    expect(shared).toEqual({
      web: true,
      "web-here": false,
      port: true,
      job: false,
      "job-any": true,
      disk: false,
    });
    expect(Object.keys(sharedDefinitions(c, [])).sort()).toEqual(["job-any", "port", "web"]);
  });

  it("refuses run_on: any on a check that reads this host, naming the field and the fix", () => {
    expect(problems('checks:\n  disk:\n    disk: { path: "/" }\n    run_on: any\n')).toEqual([
      "/etc/vigil/vigil.yaml:4:13 checks.disk.run_on: a disk check reads the host of the agent that runs it, so only that agent can run it: remove run_on, or set run_on: self",
    ]);
  });

  it("hashes a definition the same whatever its key order, differently when it differs, secrets masked", () => {
    const a = defs('  web: { http: { url: "http://127.0.0.1:1/", method: GET }, every: 5s }\n');
    const b = defs('  web: { every: 5s, http: { method: GET, url: "http://127.0.0.1:1/" } }\n');
    const c = defs('  web: { http: { url: "http://127.0.0.1:2/" }, every: 5s }\n');
    expect(a.web).toMatch(/^[0-9a-f]{12}$/);
    expect(b).toEqual(a);
    expect(c.web).not.toBe(a.web);
    // A secret differs between agents only in the hash of its masked form: the same.
    const withToken = (T: string) =>
      defs('  web: { http: { url: "http://127.0.0.1:1/", headers: { Authorization: "Bearer ${T}" } } }\n', {
        T,
      });
    expect(withToken("secret-one-0123456789")).toEqual(withToken("secret-two-9876543210"));
  });
});
