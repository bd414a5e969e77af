/**
 * The anchor: the chain's head (seq and hash) kept outside the database, in `<data_dir>/audit.anchor`,
 * signed with the audit key. Deleting the newest rows, or emptying the database, leaves a chain that
 * is valid in itself; only something that remembers where it ended can tell. Verify compares the
 * chain with the anchor: the row at the anchor's seq must be there with the anchor's hash.
 *
 * In a fleet (migrations/018) the anchor holds the head of this agent's own chain and names it
 * (version 2 of the file); a file without a chain (version 1) holds the store's one chain.
 *
 * Written on a timer (at most once a second, only when the head moved), at start and at stop: an
 * fsync per event would cost the append rate. So the file can lag the chain by up to `anchorEveryMs`;
 * rows written in that window and then deleted before the next write are not caught by this file
 * (the agent's memory and the copies sent out with notifications still hold them).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Clock } from "../core/clock.ts";
import { readPrivate } from "../core/safe-file.ts";
import { Ticker } from "../core/ticker.ts";
import type { AuditKey } from "./key.ts";
import { sameText } from "./key.ts";

export const auditAnchorFile = (dataDir: string) => path.join(dataDir, "audit.anchor");

/** How often the anchor file follows the head: the window in which a truncation can outrun it. */
export const anchorEveryMs = 1_000;

export interface Anchor {
  /** The agent's chain the head is in; undefined: the store's one chain (SQLite's, or a fleet's legacy rows). */
  chain?: string | undefined;
  seq: number;
  hash: string;
  /** Rows of this chain from this seq on carry a MAC; earlier ones were written before the key. */
  mac_from: number;
  /** When the anchor was taken, ms epoch. */
  at: number;
}

/** What `readAnchor` found: nothing, an anchor (signature checked when a key was given), or junk. */
export type AnchorRead =
  | { state: "missing" }
  | { state: "ok"; anchor: Anchor; signature: "valid" | "unchecked" }
  | { state: "invalid"; problem: string };

/** `seq 1372 #ab12cd34`: short enough for a notification, enough to hold the chain to. */
export function anchorText(head: { seq: number; hash: string }): string {
  return `seq ${head.seq} #${head.hash.slice(0, 8)}`;
}

const signedText = (a: Anchor) =>
  a.chain === undefined
    ? `vigil audit anchor v1\n${a.seq}\n${a.hash}\n${a.mac_from}\n${a.at}`
    : `vigil audit anchor v2\n${JSON.stringify(a.chain)}\n${a.seq}\n${a.hash}\n${a.mac_from}\n${a.at}`;

export function encodeAnchor(a: Anchor, key: AuditKey): string {
  const { chain, seq, hash, mac_from, at } = a;
  const head = chain === undefined ? { v: 1 } : { v: 2, chain };
  return (
    JSON.stringify({ ...head, seq, hash, mac_from, at, key: key.id, sig: key.sign(signedText(a)) }) + "\n"
  );
}

/** Reads and checks the anchor file; `key` undefined reads it without checking its signature. */
export function readAnchor(dataDir: string, key: AuditKey | undefined): AnchorRead {
  const file = auditAnchorFile(dataDir);
  const text = readPrivate(file);
  if (text === undefined) return { state: "missing" };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { state: "invalid", problem: `${file} is not an anchor file (not JSON)` };
  }
  const int = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
  if (
    !(v.v === 1 || (v.v === 2 && typeof v.chain === "string")) ||
    !int(v.seq) ||
    !int(v.mac_from) ||
    !int(v.at) ||
    typeof v.hash !== "string" ||
    !/^[0-9a-f]{64}$/.test(v.hash) ||
    typeof v.sig !== "string"
  ) {
    return { state: "invalid", problem: `${file} is not an anchor file (fields missing or malformed)` };
  }
  const anchor: Anchor = {
    ...(v.v === 2 ? { chain: v.chain as string } : {}),
    seq: v.seq as number,
    hash: v.hash,
    mac_from: v.mac_from as number,
    at: v.at as number,
  };
  if (!key) return { state: "ok", anchor, signature: "unchecked" };
  if (!sameText(v.sig, key.sign(signedText(anchor)))) {
    return {
      state: "invalid",
      problem: `${file} is not signed by audit.key: the anchor was edited, or the key replaced`,
    };
  }
  return { state: "ok", anchor, signature: "valid" };
}

/**
 * Writes the anchor file atomically without blocking the event loop: a fresh temp name (O_EXCL, never
 * through a link, 0600), fsync, rename over the old one, fsync of the folder.
 */
export async function writeAnchor(dataDir: string, a: Anchor, key: AuditKey): Promise<void> {
  const file = auditAnchorFile(dataDir);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY } = fs.constants;
  const fh = await fsp.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    try {
      await fh.writeFile(encodeAnchor(a, key));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
  const dir = await fsp.open(path.dirname(file), O_RDONLY);
  try {
    await dir.sync();
  } catch {
    // A filesystem without directory fsync: the rename still happened.
  } finally {
    await dir.close();
  }
}

/**
 * Keeps the anchor file following the head: `note` is called per commit and costs nothing; the
 * file is rewritten on a timer when the head moved, and once more at stop.
 */
export class AnchorKeeper {
  readonly #dataDir: string;
  readonly #key: AuditKey;
  readonly #clock: Clock;
  readonly #ticker: Ticker;
  readonly #onError: (err: unknown) => void;
  #head: Anchor;
  #written: number;
  /** The last write's failure: a disk that stays full is reported once, not every second. */
  #failing: string | undefined;

  constructor(opts: {
    dataDir: string;
    key: AuditKey;
    clock: Clock;
    head: Anchor;
    onError: (err: unknown) => void;
  }) {
    this.#dataDir = opts.dataDir;
    this.#key = opts.key;
    this.#clock = opts.clock;
    this.#head = opts.head;
    this.#written = -1;
    this.#onError = opts.onError;
    this.#ticker = new Ticker(opts.clock, anchorEveryMs, () => this.#tick(), opts.onError);
  }

  get head(): Anchor {
    return this.#head;
  }

  note(head: { seq: number; hash: string; chain?: string | undefined }): void {
    if (head.seq <= this.#head.seq) return;
    // The first row of the agent's own chain after an anchor of the legacy one: every row of the new
    // chain carries a MAC (the key exists before it does).
    const macFrom = head.chain === this.#head.chain ? this.#head.mac_from : 0;
    this.#head = { ...this.#head, chain: head.chain, seq: head.seq, hash: head.hash, mac_from: macFrom };
  }

  start(): void {
    this.#ticker.start();
  }

  /** Writes the head now if it moved since the last write (joins a write in flight). */
  flush(): Promise<void> {
    return this.#ticker.run();
  }

  /** The last write, then no more. */
  async stop(): Promise<void> {
    await this.#ticker.stop();
    await this.#write();
  }

  async #tick(): Promise<void> {
    try {
      await this.#write();
      this.#failing = undefined;
    } catch (e) {
      const what = (e as NodeJS.ErrnoException).code ?? String(e);
      if (what !== this.#failing) this.#onError(e);
      this.#failing = what;
    }
  }

  async #write(): Promise<void> {
    const head = this.#head;
    if (head.seq === this.#written) return;
    await writeAnchor(this.#dataDir, { ...head, at: this.#clock.now() }, this.#key);
    this.#written = head.seq;
  }
}
