/** The process probe, by pidfile and by name, against this very process. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runProbe as run } from "../../test/helpers/probe.ts";
import { tempDir } from "../../test/helpers/tmp.ts";

describe("process", () => {
  it("finds a process by pidfile and by name, and says when it is not there", async () => {
    const dir = tempDir();
    const pidfile = path.join(dir, "x.pid");
    fs.writeFileSync(pidfile, `${process.pid}\n`);
    expect((await run("process", { pidfile })).outcome.values.RUNNING).toBe(true);
    const comm = fs.readFileSync(`/proc/${process.pid}/comm`, "utf8").trim();
    const byName = await run("process", { name: comm });
    expect(byName.outcome.values.RUNNING).toBe(true);
    expect(byName.outcome.values.COUNT).toBeGreaterThanOrEqual(1);
    const missing = await run("process", { pidfile: path.join(dir, "none.pid") });
    expect(missing.outcome.error?.class).toBe("process_exited");
  });
});
