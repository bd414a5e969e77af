/**
 * Follows the JSON-lines file AI workers append their claims to (`governance.claims`) and verifies
 * each new claim, one at a time, naming the worker. Polled with `stat` (fs.watch misses events on
 * network and overlay filesystems and after a rename); the file is held open, so a renamed (rotated)
 * file is read to its end before the new one is followed from its start, and a truncated file is
 * read again from 0: one cut below the position, or one whose bytes just before the position are
 * no longer the ones read there (truncated and written past the old position between two polls).
 * The position (device, inode, offset, those bytes) is kept across restarts; on the very first run
 * the file is followed from its end, so old claims are not replayed.
 *
 * Exactly once across a crash: before a claim is verified, its line is saved as "in doubt" with the
 * audit log's head. A restart that finds a doubt asks whether that claim was audited as verified
 * since; if it was, it moves past it, else it verifies it. No claim is verified twice, none lost.
 *
 * Owns: following the file, the position. Must not import: anything of the agent but core; the
 * verifier, the store and the audit log come in through the options.
 */
import type { FileHandle } from "node:fs/promises";
import fs from "node:fs/promises";
import path from "node:path";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { maxLineBytes, readClaimLine, WarningBudget } from "./claim-lines.ts";
import type { ClaimVerifier } from "./types.ts";

/** Where the watcher is: which file (by identity, not only by name) and how far it has read. */
export interface WatchPosition {
  path: string;
  dev: number;
  ino: number;
  /** Bytes of the file read and handled. */
  offset: number;
  /** The last bytes before `offset` (up to 64, base64): the file is the same one only while they are. */
  tail?: string;
  /** The claim being verified when this was saved: its line ends at `end`; `after` is the audit head then. */
  doubt?: { end: number; claim: string; by: string; after: number };
}

/** Where positions are kept (the store's meta table in the agent). */
export interface PositionKeeper {
  load(): Promise<WatchPosition | undefined>;
  save(p: WatchPosition): Promise<void>;
}

export interface SkippedLine {
  file: string;
  offset: number;
  reason: string;
  /** Warnings held back before this one (the budget was spent). */
  held: number;
}

export interface ClaimsWatcherOptions {
  file: string;
  /** The field of each line holding the claim, and the one naming the worker. */
  field: string;
  by: string;
  verifier: ClaimVerifier;
  positions: PositionKeeper;
  /** The audit log's newest seq now, and whether a claim by `by` was audited as verified after `seq`. */
  auditHead: () => number;
  verifiedSince: (seq: number, claim: string, by: string) => Promise<boolean>;
  /** Records a skipped line (audited in the agent); called at most as often as the budget allows. */
  skipped: (s: SkippedLine) => Promise<void>;
  clock: Clock;
  log: Logger;
  /** How often the file is looked at; 1 s by default. */
  pollMs?: number;
  /** Complete lines read ahead of the one being verified, at most; 100 by default. */
  maxAhead?: number;
}

/** Attempts at a claim whose verification throws (the store is down) before it is skipped. */
const maxAttempts = 5;

interface Opened {
  handle: FileHandle;
  dev: number;
  ino: number;
  offset: number;
  tail: Buffer;
}

/** Bytes before the position compared at each poll. */
const tailBytes = 64;

export class ClaimsWatcher {
  readonly #o: ClaimsWatcherOptions;
  readonly #buf: Buffer;
  readonly #budget: WarningBudget;
  #open: Opened | undefined;
  /** The file being followed was renamed while the agent was down: read it out, then follow `file`. */
  #draining = false;
  /** No position for this file: when it appears, every line in it is new. */
  #fromStart = false;
  #timer: TimerHandle | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;
  #attempts = 0;
  #problem = "";
  /** The rest of a line already skipped as too long is still to come. */
  #inLongLine = false;
  #resumed = false;

  constructor(opts: ClaimsWatcherOptions) {
    this.#o = opts;
    // A whole line of the longest kind fits, with room for its newline and what follows.
    this.#buf = Buffer.alloc(maxLineBytes * 4);
    this.#budget = new WarningBudget(opts.clock);
  }

  /** Resumes where the last run left off (or at the file's end, the first time) and starts polling. */
  async start(): Promise<void> {
    try {
      await this.#resume();
      this.#resumed = true;
    } catch (err) {
      // Unreadable for now (permissions, the store): every poll tries again, from the saved position.
      this.#report(`the claims file cannot be followed yet: ${(err as Error).message}`, err);
    }
    this.#schedule(0);
  }

  /** Stops polling and waits for the claim being verified; the position is saved as it goes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    await this.#tick;
    await this.#open?.handle.close();
    this.#open = undefined;
  }

  /** One look at the file, as the timer does it: for tests that drive the watcher step by step. */
  poll(): Promise<void> {
    this.#tick ??= this.#follow()
      .catch((err: unknown) => this.#report(`${(err as Error).message}`, err))
      .finally(() => (this.#tick = undefined));
    return this.#tick;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      void this.poll().then(() => this.#schedule(this.#o.pollMs ?? 1000));
    }, ms);
  }

  async #resume(): Promise<void> {
    const { file, positions } = this.#o;
    const saved = await positions.load();
    const st = await statOf(file);
    if (!saved || saved.path !== file) {
      // First run for this file: what is in it is history, not news.
      this.#fromStart = !st;
      if (st) await this.#openAt(file, st.size);
      return;
    }
    let at = file;
    if (!st || st.ino !== saved.ino || st.dev !== saved.dev) {
      const old = await findByIdentity(path.dirname(file), saved.dev, saved.ino);
      if (old) {
        at = old;
        this.#draining = true;
      } else {
        this.#o.log.warn(
          { file },
          "the claims file was replaced while the agent was down and the old one is gone; following the new one from its start",
        );
        this.#fromStart = true;
        if (st) await this.#openAt(file, 0);
        return;
      }
    }
    const d = saved.doubt;
    if (d && (await this.#o.verifiedSince(d.after, d.claim, d.by))) await this.#openAt(at, d.end);
    else await this.#openAt(at, saved.offset, Buffer.from(saved.tail ?? "", "base64"));
  }

  async #openAt(file: string, offset: number, tail = Buffer.alloc(0)): Promise<void> {
    const handle = await fs.open(file, "r");
    const st = await handle.stat();
    this.#open = { handle, dev: st.dev, ino: st.ino, offset, tail };
    this.#inLongLine = false;
    // Truncated while we were away: everything in it is new.
    if (st.size < offset || !(await this.#tailHolds())) {
      this.#open.offset = 0;
      this.#open.tail = Buffer.alloc(0);
    }
    await this.#save();
  }

  async #follow(): Promise<void> {
    if (this.#stopped) return;
    const { file } = this.#o;
    if (!this.#resumed) {
      await this.#resume();
      this.#resumed = true;
    }
    if (!this.#open) {
      const st = await statOf(file);
      if (!st) return;
      await this.#openAt(file, this.#fromStart ? 0 : st.size);
      this.#fromStart = false;
    }
    const st = await statOf(file);
    const open = this.#open!;
    const replaced = this.#draining || (st !== undefined && (st.ino !== open.ino || st.dev !== open.dev));
    if (replaced) {
      // Rotated: the old file is finished first (it may have lines written before the rename).
      if (!(await this.#read(true))) return;
      await open.handle.close();
      this.#open = undefined;
      this.#draining = false;
      if (!st) return;
      await this.#openAt(file, 0);
    } else if (st && (st.size < open.offset || !(await this.#tailHolds()))) {
      this.#o.log.info(
        { file, offset: open.offset, size: st.size },
        "claims file truncated; reading it from its start",
      );
      open.offset = 0;
      open.tail = Buffer.alloc(0);
      this.#inLongLine = false;
      await this.#save();
    }
    await this.#read(false);
    this.#problem = "";
  }

  /**
   * Reads and handles complete lines from the position, at most `maxAhead` at a time; `final` takes a
   * last line without its newline (a rotated file gets no more). False when a claim could not be
   * verified: it is tried again at the next poll.
   */
  async #read(final: boolean): Promise<boolean> {
    const open = this.#open!;
    const maxAhead = this.#o.maxAhead ?? 100;
    while (!this.#stopped) {
      const { bytesRead } = await open.handle.read(this.#buf, 0, this.#buf.length, open.offset);
      if (bytesRead === 0) return true;
      const chunk = this.#buf.subarray(0, bytesRead);
      // [start, end of text, end with its newline], relative to the chunk.
      const lines: [number, number, number][] = [];
      let from = 0;
      for (let nl = chunk.indexOf(10); nl >= 0 && lines.length < maxAhead; nl = chunk.indexOf(10, from)) {
        lines.push([from, nl, nl + 1]);
        from = nl + 1;
      }
      if (lines.length === 0) {
        if (bytesRead === this.#buf.length) {
          // No newline in a full buffer: a line far over the limit, skipped to where it ends.
          if (!this.#inLongLine) await this.#skip(open.offset, `longer than ${maxLineBytes / 1024} KB`);
          this.#inLongLine = true;
          open.offset += bytesRead;
          open.tail = Buffer.from(chunk.subarray(bytesRead - tailBytes));
          await this.#save();
          continue;
        }
        if (!final) return true;
        lines.push([0, bytesRead, bytesRead]);
      }
      const base = open.offset;
      // Copied: the buffer is read into again while the claims are verified.
      const taken = Buffer.from(chunk.subarray(0, lines.at(-1)![2]));
      for (const [start, end, next] of lines) {
        const bytes = taken.subarray(start, end);
        const tail = taken.subarray(Math.max(0, next - tailBytes), next);
        if (!(await this.#handle(bytes, base + start, base + next, tail))) return false;
        if (this.#stopped) return true;
      }
    }
    return true;
  }

  /** One line: a claim verified, or skipped with a warning. False when the verifier failed. */
  async #handle(bytes: Uint8Array, start: number, end: number, tail: Buffer): Promise<boolean> {
    const open = this.#open!;
    const line = this.#inLongLine
      ? { blank: true as const }
      : readClaimLine(bytes, this.#o.field, this.#o.by);
    this.#inLongLine = false;
    if ("skip" in line) {
      await this.#skip(start, line.skip);
    } else if ("claim" in line) {
      const doubt = { end, claim: line.claim, by: line.by, after: this.#o.auditHead() };
      await this.#save(doubt);
      try {
        await this.#o.verifier.verify(line.claim, { by: line.by, source: "watcher" });
        this.#attempts = 0;
      } catch (err) {
        if (++this.#attempts < maxAttempts) {
          this.#report("a claim from the claims file could not be verified; trying again", err);
          return false;
        }
        this.#attempts = 0;
        await this.#skip(start, `verifying failed ${maxAttempts} times: ${(err as Error).message}`);
      }
    }
    open.offset = end;
    open.tail = Buffer.from(tail);
    await this.#save();
    return true;
  }

  async #skip(offset: number, reason: string): Promise<void> {
    const allowed = this.#budget.take();
    if (!allowed) return;
    const s = { file: this.#o.file, offset, reason, held: allowed.held };
    this.#o.log.warn(s, "claims file line skipped");
    await this.#o.skipped(s);
  }

  #save(doubt?: WatchPosition["doubt"]): Promise<void> {
    const { dev, ino, offset, tail } = this.#open!;
    const p: WatchPosition = {
      path: this.#o.file,
      dev,
      ino,
      offset,
      tail: tail.toString("base64"),
      ...(doubt ? { doubt } : {}),
    };
    return this.#o.positions.save(p);
  }

  /** Whether the bytes before the position are still the ones read there. */
  async #tailHolds(): Promise<boolean> {
    const { handle, offset, tail } = this.#open!;
    if (tail.length === 0 || offset < tail.length) return true;
    const now = Buffer.alloc(tail.length);
    const { bytesRead } = await handle.read(now, 0, tail.length, offset - tail.length);
    return bytesRead === tail.length && now.equals(tail);
  }

  /** Logged when it changes, not on every poll. */
  #report(problem: string, err: unknown): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#o.log.error({ err, file: this.#o.file }, problem);
  }
}

async function statOf(file: string): Promise<{ dev: number; ino: number; size: number } | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? st : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The renamed file among the first 1,000 entries of its folder (`claims.jsonl.1`), by device and inode. */
async function findByIdentity(dir: string, dev: number, ino: number): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).slice(0, 1000);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const st = await statOf(path.join(dir, name)).catch(() => undefined);
    if (st && st.dev === dev && st.ino === ino) return path.join(dir, name);
  }
  return undefined;
}
