/** The doctor's pure parts: finding programs without running them, and the port agreement rule. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { loadConfigText } from "../config/load.ts";
import type { ServiceConfig } from "../config/schema.ts";
import { formatFinding } from "./finding.ts";
import { checkProgram, findProgram } from "./programs.ts";
import { portAgreement } from "./targets.ts";

function service(yaml: string): ServiceConfig {
  const r = loadConfigText(`services:\n  web:\n${yaml}`, "/tmp/vigil.yaml", {});
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config.services.web!;
}

describe("findProgram", () => {
  it("finds a name on PATH only where it is an executable file", async () => {
    const dir = tempDir();
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "plain"), "");
    fs.writeFileSync(path.join(bin, "tool"), "#!/bin/sh\n", { mode: 0o755 });
    fs.mkdirSync(path.join(bin, "folder"));
    expect(await findProgram("tool", dir, `/nonexistent:${bin}`)).toEqual({
      found: true,
      file: path.join(bin, "tool"),
    });
    expect(await findProgram("plain", dir, bin)).toEqual({
      found: false,
      reason: "not-executable",
      file: path.join(bin, "plain"),
    });
    expect(await findProgram("folder", dir, bin)).toEqual({ found: false, reason: "missing" });
    expect(await findProgram("./bin/tool", dir, "")).toEqual({ found: true, file: path.join(bin, "tool") });
    expect(await findProgram("./bin", dir, "")).toMatchObject({ found: false, reason: "directory" });
  });

  it("says what to do: chmod for a file that is not executable", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "run.sh"), "");
    const f = await checkProgram("action x", ["./run.sh"], {
      cwd: dir,
      searchPath: "",
      key: "actions.x.run",
    });
    expect(formatFinding(f)).toBe(
      `✗ action x: ${dir}/run.sh exists but is not executable — chmod +x ${dir}/run.sh`,
    );
  });
});

describe("portAgreement", () => {
  it("needs two ports to compare", () => {
    expect(portAgreement("web", service(`    command: [node]\n    port: 8001\n`))).toBeUndefined();
  });

  it("agreeing ports are fine", () => {
    const s = service(
      `    command: [node]\n    env: { PORT: "8001" }\n    port: 8001\n    health: { tcp: { port: 8001 } }\n`,
    );
    expect(formatFinding(portAgreement("web", s)!)).toBe("✓ service web: ports agree (8001)");
  });

  it("a declared port the health check does not probe: names both and the line to change", () => {
    const s = service(`    command: [node]\n    port: 8001\n    health: { tcp: { port: 8002 } }\n`);
    expect(formatFinding(portAgreement("web", s)!)).toBe(
      "✗ service web: services.web.port is 8001, but the health check probes port 8002: the check will find nothing on the wrong port — services.web.port says 8001: point services.web.health.tcp.port at port 8001",
    );
  });

  it("a health check on another host is not compared", () => {
    const s = service(
      `    command: [node]\n    env: { PORT: "5001" }\n    health: { http: { url: "http://10.0.0.5:8001/health" } }\n`,
    );
    expect(portAgreement("web", s)).toBeUndefined();
  });
});
