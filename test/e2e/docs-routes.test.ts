/**
 * The docs promise only what is built. Every route in README.md's HTTP API table is called on a real
 * agent with the admin token: one marked "(planned)" must get the router's "no route" 404 (so the mark
 * goes when someone builds it), any other must get something else; a 404 of a missing thing (an
 * unknown id) is fine, the router's `no route` is not. Every API route the agent serves is in the
 * table, the planned ones are the ones src/config/planned.ts lists, and each planned CLI verb says
 * "not supported by this version yet" with exit 2.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../src/api/server.ts";
import { plannedRoutes, plannedVerbs } from "../../src/config/planned.ts";
import { api, runCli, startAgent, type RunningAgent } from "../helpers/agent.ts";

const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

interface DocRoute {
  method: string;
  /** As documented: `/api/targets/{name}/start`. */
  path: string;
  planned: boolean;
}

/** Splits a table row on its cell borders, not on the `\|` written inside a cell. */
const cells = (row: string) =>
  row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim().replace(/\\\|/g, "|"));

/** The HTTP API table: `METHOD /path` in backticks, a method carried over, `a|b` alternatives expanded. */
function readmeRoutes(): DocRoute[] {
  const section = readme.slice(readme.indexOf("\n## HTTP API\n"));
  const rows = section
    .slice(section.indexOf("\n|"))
    .split("\n")
    .slice(1)
    .filter((l, i, all) => l.startsWith("|") && all.slice(0, i).every((x) => x.startsWith("|")));
  const out: DocRoute[] = [];
  for (const row of rows.slice(2)) {
    const [first = "", , notes = ""] = cells(row);
    const planned = notes.includes("(planned)");
    let method = "GET";
    for (const [, code = ""] of first.matchAll(/`([^`]+)`/g)) {
      const m = /^(?:(GET|POST|PUT|PATCH|DELETE) )?(\/\S*)$/.exec(code);
      if (!m) continue; // `?tail=N`: another query of the route before it
      method = m[1] ?? method;
      const p = m[2]!.replace(/\?.*$/, "");
      const last = p.slice(p.lastIndexOf("/") + 1);
      for (const alt of last.split("|"))
        out.push({ method, path: p.slice(0, p.lastIndexOf("/") + 1) + alt, planned });
    }
  }
  return out;
}

const documented = readmeRoutes();
const pattern = (p: string) => p.replace(/\{[^}]+\}|:[^/]+/g, ":").replace(/\*$/, ":");

/** A value for each path parameter: a target, an action or a check that exists, or an id that does not. */
function concrete(p: string): string {
  return p.replace(/\/([^/]+)\/(\{[^}]+\}|\*)/g, (_, parent: string) => {
    const value =
      { targets: "disk", actions: "hello", heartbeat: "beat", assets: "missing.js" }[parent] ?? "nope";
    return `/${parent}/${value}`;
  });
}

let agent: RunningAgent;

beforeAll(async () => {
  agent = await startAgent(`agent: { listen: "127.0.0.1:0" }
checks:
  disk: { disk: { path: / }, every: 1h }
  beat: { heartbeat: { within: 1h } }
actions:
  hello: { run: ["true"], risk: auto }
`);
});

afterAll(async () => {
  await agent?.stop("SIGKILL");
});

/** Whether the router itself said there is no such route (not a handler saying a thing is missing). */
async function noRoute(method: string, p: string): Promise<{ none: boolean; status: number; body: string }> {
  const res = await api(agent, concrete(p), {
    method,
    ...(method === "GET" ? {} : { headers: { "content-type": "application/json" }, body: "{}" }),
  });
  if (res.status !== 404) {
    await res.body?.cancel(); // an event stream never ends by itself
    return { none: false, status: res.status, body: "" };
  }
  const body = await res.text();
  const error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
  return { none: error?.code === "NOT_FOUND" && /^no route /.test(error.message ?? ""), status: 404, body };
}

describe("README's HTTP API table and the routes the agent answers", () => {
  it("the table was read", () => {
    expect(documented.length).toBeGreaterThan(30);
    expect(documented).toContainEqual({
      method: "POST",
      path: "/api/targets/{name}/recover",
      planned: false,
    });
    expect(documented).toContainEqual({ method: "GET", path: "/assets/*", planned: false });
  });

  it("every documented route that is not planned is served: never the router's 404", async () => {
    const missing: string[] = [];
    for (const r of documented.filter((d) => !d.planned)) {
      if ((await noRoute(r.method, r.path)).none) missing.push(`${r.method} ${r.path}`);
    }
    expect(missing, "documented, but the agent has no such route: build it or mark it (planned)").toEqual([]);
  });

  it("every route marked (planned) gets the router's 404: built, it loses the mark", async () => {
    const marked = documented.filter((d) => d.planned);
    // None left is fine once every planned route is built; the next test holds the list to planned.ts.
    expect(marked.length).toBe(plannedRoutes.length);
    const served: string[] = [];
    for (const r of marked) {
      const got = await noRoute(r.method, r.path);
      if (!got.none) served.push(`${r.method} ${r.path} answers ${got.status}`);
    }
    expect(served, "marked (planned), but served: remove the mark here and in src/config/planned.ts").toEqual(
      [],
    );
  });

  it("the planned routes are the ones src/config/planned.ts lists", () => {
    const marked = documented.filter((d) => d.planned).map((d) => `${d.method} ${d.path}`);
    expect(new Set(marked)).toEqual(new Set(plannedRoutes));
  });

  it("every API route the agent serves is in the table", () => {
    const table = new Set(documented.map((d) => `${d.method} ${pattern(d.path)}`));
    const api = routes.filter((r) => /^\/(api\/|health$|metrics$|ops-report$)/.test(r.path));
    expect(api.length).toBeGreaterThan(30);
    const missing = api.map((r) => `${r.method} ${pattern(r.path)}`).filter((r) => !table.has(r));
    expect(missing, "served but not in README.md's HTTP API table").toEqual([]);
  });
});

describe("planned CLI verbs", () => {
  it("README marks (planned) exactly the verbs src/config/planned.ts lists", () => {
    const marked = [...readme.matchAll(/^\| `vigil ([\w-]+)[^|\n]*` +\| \(planned\)/gm)].map((m) => m[1]);
    expect(marked.sort()).toEqual(plannedVerbs.map((v) => v.verb).sort());
  });

  it.each(plannedVerbs.map((v) => [v.verb]))(
    "vigil %s: not supported by this version yet, exit 2, and README marks it",
    async (verb) => {
      const r = await runCli([verb, "x"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vigil ${verb} \\(.+\\): not supported by this version yet`));
      expect(readme).toMatch(new RegExp(`\\| \`vigil ${verb}\\b[^|]*\` +\\| \\(planned\\)`));
    },
  );
});
