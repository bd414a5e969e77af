/** One scheduled job's state in memory, and how it is shown to the API and the CLI. */
import { cronSchedule, type CronSchedule } from "../core/cron-schedule.ts";
import type { TimerHandle } from "../core/clock.ts";
import type { VigilConfig } from "../config/schema.ts";
import { emptyJobRow, type JobRow, type JobStatus } from "../store/job-store.ts";

export type JobConfig = VigilConfig["jobs"][string];

export interface JobView {
  name: string;
  action: string;
  target: string | null;
  cron: string;
  timezone: string | null;
  overlap: JobConfig["overlap"];
  catch_up: JobConfig["catch_up"];
  next_run: number | null;
  /** When the last run started, and what it came to. */
  last_run: number | null;
  last_finished: number | null;
  last_result: JobStatus | null;
  last_detail: string | null;
  run_id: string | null;
  approval_id: string | null;
  /** A run is in progress (or waits for approval); `queued`: one more waits behind it. */
  running: boolean;
  queued: boolean;
}

export interface Entry {
  name: string;
  config: JobConfig;
  schedule: CronSchedule;
  row: JobRow;
  next: number | undefined;
  timer: TimerHandle | undefined;
  /** From the start of a run until its outcome is known (approval included). */
  busy: boolean;
  /** The scheduled time of the one run queued behind the busy one (`overlap: queue`). */
  queued: number | undefined;
  removed: boolean;
}

/** A job's entry from its stored row, or, for a job seen for the first time, a row dated `now`. */
export function newEntry(name: string, config: JobConfig, row: JobRow | undefined, now: number): Entry {
  return {
    name,
    config,
    schedule: cronSchedule(config.cron, config.timezone),
    // A job seen for the first time has missed nothing: its schedule counts from now.
    row: row ?? emptyJobRow(name, now),
    next: undefined,
    timer: undefined,
    busy: false,
    queued: undefined,
    removed: false,
  };
}

export function jobView(e: Entry): JobView {
  const { config: c, row } = e;
  return {
    name: e.name,
    action: c.action,
    target: c.target ?? null,
    cron: c.cron,
    timezone: c.timezone ?? null,
    overlap: c.overlap,
    catch_up: c.catch_up,
    next_run: e.next ?? null,
    last_run: row.started_at,
    last_finished: row.finished_at,
    last_result: row.status,
    last_detail: row.detail,
    run_id: row.run_id,
    approval_id: row.approval_id,
    running: e.busy,
    queued: e.queued !== undefined,
  };
}
