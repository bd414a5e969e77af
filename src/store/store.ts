/**
 * The Store: everything the agent keeps. One interface, implemented once in SQL over `Db`, so SQLite
 * (one host) and PostgreSQL (a fleet) behave the same; `store.contract.ts` is the suite both pass.
 *
 * Owns: tables, migrations, transactions. Must not import: anything outside core/ and store/.
 */
import type { NewEvent, StoredEvent } from "../core/events.ts";
import type { Db } from "./db.ts";

/**
 * Where the next appended event goes: after the table's newest seq, linked to the hash of its
 * chain's newest row (for an agent's first row, the newest row of the one chain without an agent).
 */
export interface ChainTip {
  seq: number;
  /** Undefined: the chain starts here (links to the genesis hash). */
  hash: string | undefined;
}

/** Turns new events into chained rows; supplied by the audit log, called inside the write lock. */
export type Sealer = (tip: ChainTip | undefined, events: readonly NewEvent[]) => StoredEvent[];

/** A row's MAC, made with a key the database never holds (audit/key.ts); null writes none. */
export type Macer = (row: StoredEvent) => string | null;

/** A stored row as verification reads it: the event and its MAC (null before the key existed). */
export interface ChainRow extends StoredEvent {
  mac: string | null;
}

/** A target's persisted row; JSON columns are opaque to the store. */
export interface TargetRow {
  name: string;
  kind: "service" | "check";
  state: string;
  since: number;
  /** JSON: the health state machine's state. */
  health: string;
  /** JSON: the supervisor's record, services only. */
  service: string | null;
  /** JSON: the last result. */
  last_result: string | null;
  updated_at: number;
}

/** A stored target with the agent that runs it (null: a row from before targets had an agent). */
export interface AgentTargetRow extends TargetRow {
  agent: string | null;
}

export interface ResultRow {
  target: string;
  ts: number;
  ok: boolean;
  duration_ms: number;
  /** JSON: failure class, explanations, key values. */
  summary: string;
}

export interface MinuteRow {
  target: string;
  /** Start of the minute, ms epoch. */
  minute: number;
  total: number;
  ok: number;
  p50_ms: number;
  p95_ms: number;
}

export interface HourTotal {
  hour: number;
  total: number;
  ok: number;
}

export interface LatencyRow {
  ts: number;
  ok: boolean;
  duration_ms: number;
}

export interface Store {
  /** `sqlite:<file>` or `postgres:<host>/<db>`, never with a password. */
  readonly description: string;
  readonly db: Db;
  /**
   * Appends events atomically, chained after the tip of `chain` (an agent's own chain; undefined:
   * the one chain without an agent); concurrent writers serialise, so seq orders the whole table.
   * `mac` gives each sealed row its MAC column; the rows returned are the events without it.
   */
  appendEvents(
    events: readonly NewEvent[],
    seal: Sealer,
    mac?: Macer,
    chain?: string,
  ): Promise<StoredEvent[]>;
  /** Events after `after` in ascending seq, or the newest `limit` when `newest` is set. */
  readEvents(query: { after?: number; limit: number; newest?: boolean }): Promise<StoredEvent[]>;
  /** Every row of every chain in seq order with its MAC, a page at a time, without holding them all in memory. */
  scanEvents(pageSize?: number): AsyncGenerator<ChainRow[]>;
  countEvents(): Promise<number>;
  /**
   * Targets are each agent's own (`agent.name`): agents sharing a store never restore, overwrite or
   * forget another's. A row from before targets had an agent is taken by the first that saves it.
   */
  saveTargets(agent: string, rows: readonly TargetRow[]): Promise<void>;
  loadTargets(agent: string): Promise<TargetRow[]>;
  deleteTarget(agent: string, name: string): Promise<void>;
  /** Every agent's stored targets, by name: what a fleet-wide list shows of the agents it does not run on. */
  allTargets(): Promise<AgentTargetRow[]>;
  /**
   * A fleet's shared checks move between agents, and the row is the fence: `agent` takes each of
   * `rows` (by name) that no live agent holds (a row handed over, or held by an agent not in
   * `live`), or stores it as given when there is none. Returns the rows it now holds, as stored,
   * to carry on from; a row a live agent still holds stays with it, to be taken once handed over.
   */
  takeTargets(agent: string, rows: readonly TargetRow[], live: readonly string[]): Promise<TargetRow[]>;
  /** Hands shared checks over: rows `agent` holds of `names` are held by no one until taken. */
  handOverTargets(agent: string, names: readonly string[]): Promise<void>;
  /** Writes a batch of results and minute aggregates in one transaction (minutes are upserted). */
  writeResults(results: readonly ResultRow[], minutes: readonly MinuteRow[]): Promise<void>;
  /** The newest results of a target, newest first. */
  recentResults(target: string, limit: number): Promise<ResultRow[]>;
  minutes(target: string, since: number): Promise<MinuteRow[]>;
  /** Checks and passes per hour (hour start, ms epoch) of a target's minutes in [from, to), oldest first. */
  hourTotals(target: string, from: number, to: number): Promise<HourTotal[]>;
  /** The newest results of a target without their summaries, newest first: cheap enough for 1,000 at once. */
  recentLatencies(target: string, limit: number): Promise<LatencyRow[]>;
  /** Keeps the newest `keep` results of each of `targets`; drops minute rows before `minutesBefore`. */
  pruneResults(keep: number, targets: readonly string[], minutesBefore?: number): Promise<void>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
