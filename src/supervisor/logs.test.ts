/** Service logs and their rotation in a real folder, with links planted where the agent writes. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { logFile, openLog, rotateIfNeeded, tailLines } from "./logs.ts";

const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe("service logs", () => {
  it("rotates by copy and truncate into private files, never through a planted link", () => {
    const dir = tempDir();
    const logs = path.join(dir, "logs");
    const fd = openLog(logs, "api");
    fs.writeSync(fd, "a".repeat(2_000));
    fs.closeSync(fd);
    const victim = path.join(dir, "victim.txt");
    fs.writeFileSync(victim, "precious\n");
    fs.symlinkSync(victim, `${logFile(logs, "api")}.1`);

    expect(rotateIfNeeded(logFile(logs, "api"), 1_000, 1)).toBe(true);
    expect(fs.readFileSync(victim, "utf8")).toBe("precious\n");
    expect(fs.lstatSync(`${logFile(logs, "api")}.1`).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(`${logFile(logs, "api")}.1`, "utf8")).toBe("a".repeat(2_000));
    expect(mode(`${logFile(logs, "api")}.1`)).toBe(0o600);
    expect(fs.statSync(logFile(logs, "api")).size).toBe(0);
    expect(mode(logs)).toBe(0o700);
  });

  it("refuses to write, rotate or read a log that is a link", () => {
    const dir = tempDir();
    const logs = path.join(dir, "logs");
    fs.mkdirSync(logs, { mode: 0o700 });
    const victim = path.join(dir, "victim.txt");
    fs.writeFileSync(victim, "x".repeat(5_000));
    fs.symlinkSync(victim, logFile(logs, "api"));
    expect(() => openLog(logs, "api")).toThrow(/api\.log is a symbolic link/);
    expect(() => rotateIfNeeded(logFile(logs, "api"), 1_000, 2)).toThrow(/is a symbolic link/);
    expect(() => tailLines(logFile(logs, "api"), 10)).toThrow(/is a symbolic link/);
    expect(fs.readFileSync(victim, "utf8")).toBe("x".repeat(5_000));
    expect(tailLines(logFile(logs, "nothing-yet"), 10)).toEqual([]);
  });

  it("reads a tail in one pass, a character across two of its chunks whole", () => {
    const logs = path.join(tempDir(), "logs");
    fs.closeSync(openLog(logs, "api"));
    const file = logFile(logs, "api");
    // "é" is two bytes, the first at the end of one 64 KB chunk read from the end, the second at the
    // start of the next: each used to be decoded alone, as two U+FFFD.
    const last = `${"x".repeat(10)}é${"y".repeat(65_535)}`;
    fs.writeFileSync(file, `first\n${last}`);
    expect(tailLines(file, 1)[0] === last).toBe(true);
    expect(tailLines(file, 5)).toHaveLength(2);
    // A service's output is anyone's text: a last line longer than the 4 MiB read was split again
    // after every chunk (64 times), half a second of the agent's event loop. Compared as booleans: a
    // megabyte in a failure message helps nobody.
    fs.writeFileSync(file, `first\n${"é".repeat(3 << 20)}\nend\n`);
    const tail = tailLines(file, 3);
    expect(tail.length === 2 && tail[1] === "end" && /^\uFFFD?é+$/.test(tail[0]!)).toBe(true);
  });
});
