/** The backup probe: [AGE] of the newest good backup in a backup action's folder, from its manifests. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runProbe as run } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";
import { dumpFileName, type Manifest, manifestName } from "../backups/manifest.ts";

/** A dump and its manifest as the backup action writes them; `verified` false records a failed restore test. */
function dump(dir: string, at: number, verified: boolean): string {
  const file = dumpFileName(at, "sqlite");
  fs.writeFileSync(path.join(dir, file), "x".repeat(100));
  const m: Manifest = {
    vigil_backup: 1,
    file,
    source: "sqlite",
    from: "/srv/app.db",
    created_at: at,
    size: 100,
    mtime_ms: fs.statSync(path.join(dir, file)).mtimeMs,
    sha256: "0".repeat(64),
    verify: {
      ok: verified,
      at,
      duration_ms: 1,
      checksum_ok: true,
      ...(verified ? {} : { error: "integrity_check: bad" }),
    },
  };
  fs.writeFileSync(path.join(dir, manifestName(file)), JSON.stringify(m));
  return file;
}

describe("backup", () => {
  it("before any backup, counts from when watching began (60 s ago here)", async () => {
    const { outcome } = await run("backup", { path: tempDir() });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ COUNT: 0, LATEST_OK: false });
    expect(outcome.values.AGE).toBeGreaterThanOrEqual(59_000);
  });

  it("is the age of the newest good backup, past a newer bad one", async () => {
    const dir = tempDir();
    const now = Date.now();
    dump(dir, now - 3 * 3_600_000, true);
    dump(dir, now - 27 * 3_600_000, true);
    dump(dir, now - 60_000, false);
    const { outcome } = await run("backup", { path: dir });
    expect(outcome.error).toBeUndefined();
    expect(outcome.values).toMatchObject({ COUNT: 2, SIZE: 100, LATEST_OK: false });
    expect(outcome.values.AGE).toBeGreaterThanOrEqual(3 * 3_600_000);
    expect(outcome.values.AGE).toBeLessThan(4 * 3_600_000);
  });

  it("says why when there are backups but none is good", async () => {
    const dir = tempDir();
    const file = dump(dir, Date.now() - 60_000, false);
    const { outcome } = await run("backup", { path: dir });
    expect(outcome.error?.message).toBe(
      `no good backup in ${dir}; the newest, ${file}: verify failed: integrity_check: bad`,
    );
  });
});
