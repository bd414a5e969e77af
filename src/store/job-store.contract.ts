/** Scheduled jobs' state behaves the same on SQLite and PostgreSQL. */
import { describe, expect, it } from "vitest";
import { emptyJobRow, JobStore, type JobRow } from "./job-store.ts";
import type { Store } from "./store.ts";

const job = (name: string, over: Partial<JobRow> = {}): JobRow => ({ ...emptyJobRow(name, 1_000), ...over });

export function jobsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`${name} job store`, () => {
    it("keeps each agent's jobs apart, updates a job in place, and forgets a removed one", async () => {
      const store = await makeStore();
      try {
        const web1 = new JobStore(store.db, "web-1");
        const web2 = new JobStore(store.db, "web-2");
        await web1.save(job("backup"));
        await web1.save(job("archive", { scheduled_at: 2_000 }));
        await web2.save(job("backup", { scheduled_at: 5_000 }));
        expect((await web1.list()).map((j) => [j.name, j.scheduled_at])).toEqual([
          ["archive", 2_000],
          ["backup", 1_000],
        ]);
        const done = job("backup", {
          scheduled_at: 8_640_000_000_000,
          started_at: 8_640_000_000_001,
          finished_at: 8_640_000_000_002,
          status: "failed",
          run_id: "r1",
          approval_id: "a1",
          detail: "exit code 3",
        });
        await web1.save(done);
        expect((await web1.list()).find((j) => j.name === "backup")).toEqual(done);
        expect(await web2.list()).toEqual([job("backup", { scheduled_at: 5_000 })]);
        await web1.remove("backup");
        expect((await web1.list()).map((j) => j.name)).toEqual(["archive"]);
        expect(await web2.list()).toHaveLength(1);
      } finally {
        await store.close();
      }
    });
  });
}
