/**
 * A newcomer's first commands, as the README gives them, on a machine whose own Node may be older
 * than the one the project pins: `npx vigil` says what it is asked, not a screen of npm warnings; a
 * Node too old to run vigil is told so in one line.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nodeSupported } from "../bin/runtime.js";

const root = path.resolve(import.meta.dirname, "..");
const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string })
  .version;
/** The machine's own tools only: what a shell has before npm puts node_modules/.bin first. */
const systemPath = (process.env.PATH ?? "")
  .split(path.delimiter)
  .filter((d) => !d.includes("node_modules"))
  .join(path.delimiter);
const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => fs.existsSync(p));
const systemNodeVersion = systemNode
  ? spawnSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim()
  : undefined;

describe("the first run", () => {
  it("knows which Node runs vigil", () => {
    expect(nodeSupported("24.21.0")).toBe(true);
    expect(nodeSupported("22.18.0")).toBe(true);
    expect(nodeSupported("23.0.1")).toBe(true);
    expect(nodeSupported("22.17.9")).toBe(false);
    expect(nodeSupported("20.20.2")).toBe(false);
  });

  it("`npx vigil --version` prints the version and nothing else, whatever the system's Node", () => {
    const r = spawnSync("npx", ["--offline", "vigil", "--version"], {
      cwd: root,
      env: { PATH: systemPath, HOME: process.env.HOME },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(version);
    expect(r.status).toBe(0);
  });

  it.runIf(systemNodeVersion !== undefined && !nodeSupported(systemNodeVersion))(
    "a Node too old for vigil is told so in one line, with what to run instead",
    () => {
      const r = spawnSync(systemNode!, [path.join(root, "bin/vigil.js"), "--version"], {
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `vigil needs Node.js 22.18 or newer; this is v${systemNodeVersion}. ` +
          "`npx vigil` and `npm start` run it on the Node 24 that `npm install` put in node_modules.\n",
      );
    },
  );
});
