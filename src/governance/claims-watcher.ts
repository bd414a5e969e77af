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
import path from "node:path";
import type { Clock, TimerHandle } from "../core/clock.ts";
import type { Logger } from "../core/log.ts";
import { maxLineBytes, readClaimLine, WarningBudget } from "./claim-lines.ts";
import { findByIdentity, FollowedFile, statOf, type Line } from "./followed-file.ts";
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

export class ClaimsWatcher {
  readonly #o: ClaimsWatcherOptions;
  readonly #buf: Buffer;
  readonly #budget: WarningBudget;
  #open: FollowedFile | undefined;
  /** The file being followed was renamed while the agent was down: read it out, then follow `file`. */
  #draining = false;
  /** No position for this file: when it appears, every line in it is new. */
  #fromStart = false;
  #resumed = false;
  #timer: TimerHandle | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;
  #attempts = 0;
  #problem = "";
  /** The rest of a line already skipped as too long is still to come. */
  #inLongLine = false;

  constructor(opts: ClaimsWatcherOptions) {
    this.#o = opts;
    // A whole line of the longest kind fits, with room for the lines after it.
    this.#buf = Buffer.alloc(maxLineBytes * 4);
    this.#budget = new WarningBudget(opts.clock);
  }

  /** Resumes where the last run left off (or at the file's end, the first time) and starts polling. */
  async start(): Promise<void> {
    try {
      await this.#resume();
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
    await this.#open?.close();
    this.#open = undefined;
  }

  /** One look at the file, as the timer does it: for tests that drive the watcher step by step. */
  poll(): Promise<void> {
    this.#tick ??= this.#follow()
      .catch((err: unknown) => this.#report((err as Error).message, err))
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
      // Said once: a mistyped path would otherwise be followed in silence forever.
      else this.#o.log.info({ file }, "no claims file yet; it is read from its start when it appears");
    } else if (st && saved.dev === st.dev && saved.ino === st.ino) {
      await this.#resumeIn(file, saved);
    } else {
      const old = await findByIdentity(path.dirname(file), saved);
      if (old) {
        this.#draining = true;
        await this.#resumeIn(old, saved);
      } else {
        this.#o.log.warn(
          { file },
          "the claims file was replaced while the agent was down and the old one is gone; following the new one from its start",
        );
        this.#fromStart = true;
        if (st) await this.#openAt(file, 0);
      }
    }
    this.#resumed = true;
  }

  /** At the saved position, past the claim in doubt when the audit log shows it verified. */
  async #resumeIn(file: string, saved: WatchPosition): Promise<void> {
    const d = saved.doubt;
    if (d && (await this.#o.verifiedSince(d.after, d.claim, d.by))) await this.#openAt(file, d.end);
    else await this.#openAt(file, saved.offset, Buffer.from(saved.tail ?? "", "base64"));
  }

  async #openAt(file: string, offset: number, tail?: Buffer): Promise<void> {
    this.#open = await FollowedFile.open(file, offset, tail);
    this.#inLongLine = false;
    await this.#save();
  }

  async #follow(): Promise<void> {
    if (this.#stopped) return;
    const { file } = this.#o;
    if (!this.#resumed) await this.#resume();
    if (!this.#open) {
      const st = await statOf(file);
      if (!st) return;
      await this.#openAt(file, this.#fromStart ? 0 : st.size);
      this.#fromStart = false;
    }
    const st = await statOf(file);
    const open = this.#open!;
    if (this.#draining || (st && !open.is(st))) {
      // Rotated: the old file is finished first (it may have lines written before the rename).
      if (!(await this.#read(true))) return;
      await open.close();
      this.#open = undefined;
      this.#draining = false;
      if (!st) return;
      await this.#openAt(file, 0);
    } else if (st && (await open.truncated(st.size))) {
      this.#o.log.info(
        { file, offset: open.offset, size: st.size },
        "claims file truncated; reading it from its start",
      );
      open.rewind();
      this.#inLongLine = false;
      await this.#save();
    }
    await this.#read(false);
    this.#problem = "";
  }

  /**
   * Handles what there is from the position, at most `maxAhead` lines read at a time; `final` takes a
   * last line without its newline. False when a claim could not be verified: it is tried again at
   * the next poll.
   */
  async #read(final: boolean): Promise<boolean> {
    const open = this.#open!;
    while (!this.#stopped) {
      const got = await open.read(this.#buf, this.#o.maxAhead ?? 100, final);
      if (!got) return true;
      if ("overlong" in got) {
        // No newline in a full buffer: a line far over the limit, skipped to where it ends.
        const { start, next, tail } = got.overlong;
        if (!this.#inLongLine) await this.#skip(start, `longer than ${maxLineBytes / 1024} KB`);
        this.#inLongLine = true;
        open.advance(next, tail);
        await this.#save();
        continue;
      }
      for (const line of got.lines) {
        if (!(await this.#handle(line))) return false;
        if (this.#stopped) return true;
      }
    }
    return true;
  }

  /** One line: a claim verified, or skipped with a warning. False when the verifier failed. */
  async #handle({ bytes, start, next, tail }: Line): Promise<boolean> {
    // The end of a line skipped as too long is no line of its own.
    const line = this.#inLongLine
      ? { blank: true as const }
      : readClaimLine(bytes, this.#o.field, this.#o.by);
    this.#inLongLine = false;
    if ("skip" in line) {
      await this.#skip(start, line.skip);
    } else if ("claim" in line) {
      await this.#save({ end: next, claim: line.claim, by: line.by, after: this.#o.auditHead() });
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
    this.#open!.advance(next, tail);
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
    const at = { dev, ino, offset, tail: tail.toString("base64") };
    return this.#o.positions.save({ path: this.#o.file, ...at, ...(doubt ? { doubt } : {}) });
  }

  /** Logged when it changes, not on every poll. */
  #report(problem: string, err: unknown): void {
    if (problem === this.#problem) return;
    this.#problem = problem;
    this.#o.log.error({ err, file: this.#o.file }, problem);
  }
}
