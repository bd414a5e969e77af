/**
 * The gateway is the one door: besides it, only the supervisor (which spawns services) may reach
 * `child_process`, in any form: static import, dynamic import or require. The lint rule catches static
 * imports; this catches the rest.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const src = path.resolve(import.meta.dirname, "..");
const allowed = [path.join(src, "gateway"), path.join(src, "supervisor")];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

describe("execution boundary", () => {
  it("no module outside src/gateway and src/supervisor mentions child_process", () => {
    const offenders = sources(src)
      .filter((f) => !allowed.some((a) => f.startsWith(a + path.sep)))
      .filter((f) => /child_process|process\.binding\(|spawn_sync/.test(fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("no module anywhere asks for a shell", () => {
    const offenders = sources(src).filter((f) =>
      /shell:\s*true|["']\/bin\/sh["']|["']sh["'],\s*\[?["']-c/.test(fs.readFileSync(f, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
