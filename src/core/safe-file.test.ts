/** Real files, links, FIFOs and hard links in a temp folder. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { isVigilError } from "./errors.ts";
import {
  createPrivate,
  ensurePrivateDir,
  openPrivate,
  readPrivate,
  securePrivate,
  writePrivate,
} from "./safe-file.ts";

const mode = (f: string) => fs.statSync(f).mode & 0o777;
const isRoot = process.geteuid?.() === 0;

/** A folder holding `victim` (a file someone else cares about) and a link `name` pointing at it. */
function planted(name: string) {
  const dir = tempDir();
  const victim = path.join(dir, "victim.txt");
  fs.writeFileSync(victim, "precious\n", { mode: 0o644 });
  const link = path.join(dir, name);
  fs.symlinkSync(victim, link);
  return { dir, victim, link };
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isVigilError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("safe-file", () => {
  it("never appends through a link, and names the path", () => {
    const { victim, link } = planted("api.log");
    const r = refusal(() => openPrivate(link, "append"));
    expect(r.code).toBe("DATA_DIR_UNSAFE");
    expect(r.message).toContain(`${link} is a symbolic link`);
    expect(fs.readFileSync(victim, "utf8")).toBe("precious\n");
    expect(mode(victim)).toBe(0o644);
  });

  it("never reads a secret through a link, nor chmods its target", () => {
    const { victim, link } = planted("admin.token");
    expect(refusal(() => readPrivate(link)).code).toBe("DATA_DIR_UNSAFE");
    expect(mode(victim)).toBe(0o644);
  });

  it("replaces a link by a private file, leaving its target alone", () => {
    const { victim, link } = planted("capability.key");
    writePrivate(link, "new content\n");
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(link, "utf8")).toBe("new content\n");
    expect(mode(link)).toBe(0o600);
    expect(fs.readFileSync(victim, "utf8")).toBe("precious\n");
    // No temp file is left beside it.
    expect(fs.readdirSync(path.dirname(link)).sort()).toEqual(["capability.key", "victim.txt"]);
  });

  it("creates files that must be new only when nothing, not even a link, is there", () => {
    const { link } = planted("wal");
    expect(refusal(() => createPrivate(link)).message).toContain("is a symbolic link");
    const fresh = path.join(path.dirname(link), "fresh");
    fs.closeSync(createPrivate(fresh));
    expect(mode(fresh)).toBe(0o600);
  });

  it("refuses a FIFO at once instead of hanging on it", () => {
    const dir = tempDir();
    const fifo = path.join(dir, "api.log");
    execFileSync("mkfifo", [fifo]);
    expect(refusal(() => openPrivate(fifo, "read")).message).toContain("is not a regular file");
    // Opening a FIFO for writing with no reader would block forever without O_NONBLOCK.
    expect(() => openPrivate(fifo, "append")).toThrow();
  });

  it("refuses a file with a second name (a hard link)", () => {
    const dir = tempDir();
    const file = path.join(dir, "vigil.db-wal");
    fs.writeFileSync(file, "");
    fs.linkSync(file, path.join(dir, "elsewhere"));
    expect(refusal(() => openPrivate(file, "append")).message).toContain("has 2 names");
  });

  it.skipIf(!isRoot)("refuses a file of another user", () => {
    const dir = tempDir();
    const file = path.join(dir, "admin.token");
    fs.writeFileSync(file, "x".repeat(40));
    fs.chownSync(file, 65534, 65534);
    expect(refusal(() => readPrivate(file)).message).toContain("belongs to uid 65534");
  });

  it("makes existing files private, and says when there is none", () => {
    const dir = tempDir();
    const file = path.join(dir, "vigil.db");
    expect(securePrivate(file)).toBe(false);
    expect(readPrivate(file)).toBeUndefined();
    fs.writeFileSync(file, "data", { mode: 0o644 });
    expect(securePrivate(file)).toBe(true);
    expect(mode(file)).toBe(0o600);
  });

  it("keeps its own folders private and refuses a linked one", () => {
    const dir = tempDir();
    const logs = path.join(dir, "logs");
    fs.mkdirSync(logs, { mode: 0o755 });
    ensurePrivateDir(logs);
    expect(mode(logs)).toBe(0o700);
    const elsewhere = tempDir();
    const linked = path.join(dir, "logs2");
    fs.symlinkSync(elsewhere, linked);
    expect(refusal(() => ensurePrivateDir(linked)).message).toContain(`${linked} is a symbolic link`);
  });
});
