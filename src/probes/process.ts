/** `process`: is a process running, found by name or by pidfile. Provides [RUNNING] [COUNT] [PID]. */
import fs from "node:fs/promises";
import { isAlive, readProcText, safeReaddir } from "../core/procfs.ts";
import { defineProbe } from "./probe.ts";

export default defineProbe({
  type: "process",
  description: "Whether a process runs, found by its name or its pidfile.",
  schema: ({ z, duration, filePath }) =>
    z
      .strictObject({
        name: z.string().min(1).optional().describe("The process name as in /proc/<pid>/comm."),
        pidfile: filePath.optional(),
        timeout: duration.optional(),
      })
      .refine((p) => (p.name === undefined) !== (p.pidfile === undefined), {
        message: "give exactly one of name or pidfile",
      }),
  example: { name: "postgres" },
  doctor: () => ({ try: true }),
  defaultExpect: ["[RUNNING] == true"],
  provides: ["RUNNING", "COUNT", "PID"],
  async run(cfg) {
    if (cfg.pidfile) {
      let pid = NaN;
      try {
        pid = Number((await fs.readFile(cfg.pidfile, "utf8")).trim());
      } catch (e) {
        return {
          values: { RUNNING: false, COUNT: 0 },
          error: {
            class: "process_exited",
            message: `cannot read ${cfg.pidfile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          },
        };
      }
      const running = Number.isInteger(pid) && pid > 0 && isAlive(pid);
      return { values: { RUNNING: running, COUNT: running ? 1 : 0, PID: pid } };
    }
    // Read synchronously through procfs's one buffer: 0.9 ms for 110 processes here, against 24 ms and
    // a fresh 64 KiB buffer per process with fs.readFile (/proc files say their size is 0).
    const pids: number[] = [];
    for (const entry of safeReaddir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readProcText(`/proc/${entry}/comm`).trim();
        if (comm === cfg.name) pids.push(Number(entry));
      } catch {
        // Gone between readdir and read.
      }
    }
    return { values: { RUNNING: pids.length > 0, COUNT: pids.length, PID: pids[0] ?? 0 } };
  },
});
