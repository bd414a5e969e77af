import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkClaim } from "../index.ts";
import { claimSources } from "../../../../test/helpers/claim-sources.ts";
import { tempDir } from "../../../../test/helpers/tmp.ts";
import { maxReadBytes } from "../read.ts";

function world() {
  const root = tempDir("vigil-claim-files-");
  const outside = tempDir("vigil-claim-outside-");
  const check = (claim: string) =>
    checkClaim(claim, claimSources({ paths: () => [root] }), { timeoutMs: 5_000 });
  return { root, outside, check };
}

describe("file claims, against real files", () => {
  it("a file made now was created; one from two days ago was not, though it exists", async () => {
    const { root, check } = world();
    const report = path.join(root, "report.txt");
    fs.writeFileSync(report, "total: 42\n");
    for (const c of [
      `Created file ${report}`,
      `Saved the report to ${report}`,
      `${report} exists`,
      `I've written the summary into ${report}`,
    ])
      expect((await check(c)).verdict, c).toBe("TRUE");
    const old = new Date(Date.now() - 2 * 24 * 3_600_000);
    fs.utimesSync(report, old, old);
    const stale = await check(`Created file ${report}`);
    expect(stale.verdict).toBe("FALSE");
    expect(stale.checks[0]!.observed).toMatch(/modified 28\d\d min ago/);
    expect((await check(`${report} exists`)).verdict).toBe("TRUE");
  });

  it("reads a thing named before it was made, and a size said as weight or 'the size of'", async () => {
    const { root, outside, check } = world();
    const report = path.join(root, "report.txt");
    fs.writeFileSync(report, "total: 42\n");
    const big = path.join(root, "big.bin");
    fs.writeFileSync(big, Buffer.alloc(600 * 1024));
    for (const c of [
      `Output written to ${report}`,
      `Report generated: ${report}`,
      `The results were saved in ${report}`,
      `${big} weighs more than 512 KB`,
      `The size of ${big} is above 600 KB`,
      `the file size of ${big} is under 1 MB`,
    ])
      expect((await check(c)).verdict, c).toBe("TRUE");
    for (const c of [
      `Output written to ${path.join(root, "result.txt")}`,
      `Report generated: ${path.join(root, "report.pdf")}`,
      `${big} weighs more than 700 KB`,
      `The size of ${big} is above 1 MB`,
    ])
      expect((await check(c)).verdict, c).toBe("FALSE");
    const old = new Date(Date.now() - 2 * 24 * 3_600_000);
    fs.utimesSync(report, old, old);
    expect((await check(`Output written to ${report}`)).verdict).toBe("FALSE");
    fs.writeFileSync(path.join(outside, "r.txt"), "x");
    expect((await check(`Report generated: ${path.join(outside, "r.txt")}`)).verdict).toBe("UNVERIFIABLE");
    expect((await check(`Tests written to ${report}`)).verdict).toBe("UNVERIFIABLE");
    fs.utimesSync(report, new Date(), new Date());
    expect((await check(`Output written to ${report}`)).verdict).toBe("TRUE");
    for (const c of [`No output written to ${report}`, `no report was generated: ${report}`])
      expect((await check(c)).verdict, c).toBe("UNVERIFIABLE");
  });

  it("a missing file was not created and does not exist; a deleted one was deleted", async () => {
    const { root, check } = world();
    const missing = path.join(root, "nope.txt");
    const v = await check(`Created file ${missing}`);
    expect(v.verdict).toBe("FALSE");
    expect(v.checks[0]).toMatchObject({
      what: `file ${missing}`,
      observed: "no such file or folder",
      ok: false,
    });
    expect((await check(`I deleted ${missing}`)).verdict).toBe("TRUE");
    expect((await check(`${missing} does not exist`)).verdict).toBe("TRUE");
    fs.writeFileSync(missing, "");
    expect((await check(`I deleted ${missing}`)).verdict).toBe("FALSE");
  });

  it("reads the text and the size, and tells a file from a folder", async () => {
    const { root, check } = world();
    const f = path.join(root, "out.log");
    fs.writeFileSync(f, "started\nall 12 rows, and done\n");
    expect((await check(`${f} contains "all 12 rows, and done"`)).verdict).toBe("TRUE");
    expect((await check(`${f} contains 'ERROR'`)).verdict).toBe("FALSE");
    expect((await check(`${f} does not contain "ERROR"`)).verdict).toBe("TRUE");
    expect((await check(`${f} is larger than 10 bytes`)).verdict).toBe("TRUE");
    expect((await check(`${f} is larger than 2 KB`)).verdict).toBe("FALSE");
    expect((await check(`the file ${f} is smaller than 500 KB`)).verdict).toBe("TRUE");
    expect((await check(`${f} is not empty`)).verdict).toBe("TRUE");
    fs.mkdirSync(path.join(root, "2024"));
    expect((await check(`Created the folder ${root}/2024`)).verdict).toBe("TRUE");
    expect((await check(`Created file ${root}/2024`)).verdict).toBe("FALSE");
    expect((await check(`${root} contains out.log`)).verdict).toBe("TRUE");
    const vague = await check(`Saved the report to ${root}/2024`);
    expect(vague.verdict).toBe("UNVERIFIABLE");
    expect(vague.evidence).toContain("does not say which file");
  });

  it("reads nothing outside the allowed folders: not by path, not by symlink, not by ..", async () => {
    const { root, outside, check } = world();
    const secret = path.join(outside, "secret.txt");
    fs.writeFileSync(secret, "hunter2");
    fs.symlinkSync(secret, path.join(root, "link.txt"));
    fs.symlinkSync(outside, path.join(root, "dir-link"));
    for (const c of [
      `${secret} contains "hunter2"`,
      `${root}/link.txt contains "hunter2"`,
      `${root}/dir-link/secret.txt exists`,
      `${root}/../${path.basename(outside)}/secret.txt exists`,
      `Created file ${outside}/new.txt`,
      '/etc/passwd contains "root"',
    ]) {
      const v = await check(c);
      expect(v.verdict, c).toBe("UNVERIFIABLE");
      expect(v.evidence, c).toContain("outside governance.verify.paths");
    }
    expect((await check("Saved the report to report.txt")).verdict).toBe("UNVERIFIABLE");
  });

  it("searches a large file only so far: a text past the limit is UNVERIFIABLE, not FALSE", async () => {
    const { root, check } = world();
    const big = path.join(root, "big.log");
    const fd = fs.openSync(big, "w");
    fs.writeSync(fd, "early marker\n");
    fs.writeSync(fd, Buffer.alloc(maxReadBytes + 1024, "x"));
    fs.writeSync(fd, "late marker\n");
    fs.closeSync(fd);
    expect((await check(`${big} contains "early marker"`)).verdict).toBe("TRUE");
    const late = await check(`${big} contains "late marker"`);
    expect(late.verdict).toBe("UNVERIFIABLE");
    expect(late.evidence).toContain("the rest was not read");
  });

  it("finds a text that spans two reads", async () => {
    const { root, check } = world();
    const f = path.join(root, "span.txt");
    const text = "needle-across-the-boundary";
    fs.writeFileSync(f, Buffer.concat([Buffer.alloc(64 * 1024 + text.length - 5, "y"), Buffer.from(text)]));
    expect((await check(`${f} contains "${text}"`)).verdict).toBe("TRUE");
  });
});
