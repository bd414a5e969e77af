/**
 * `file`: a file or folder exists (or does not), was created lately, holds a text, is larger or
 * smaller than a size. "Created file /tmp/report.txt", "Saved the report to /srv/out/report.txt",
 * "/srv/out/report.txt contains \"total: 42\"", "/srv/out/dump.sql is larger than 2 GB". Only
 * files under `governance.verify.paths` and `agent.data_dir` are looked at (claims/paths.ts).
 */
import fs from "node:fs/promises";
import type { Stats } from "node:fs";
import path from "node:path";
import { defineKind, notSeen, seen, type Observation, type Parsed } from "../kind.ts";
import { allowedPath } from "../paths.ts";
import { findText, maxReadBytes } from "../read.ts";
import type { ClaimSources } from "../sources.ts";
import {
  COMPARE,
  IS,
  PATH,
  SIZE,
  TEXT,
  WHO,
  bytesOf,
  compare,
  opOf,
  opWords,
  pathOf,
  showBytes,
  textOf,
  whole,
  type Op,
} from "../words.ts";

type Test =
  | { test: "exists" | "absent" | "created" | "empty" | "nonempty" }
  | { test: "contains" | "lacks"; text: string }
  | { test: "size"; op: Op; bytes: number };

type FileClaim = Test & {
  path: string;
  /** What the claim calls it: a folder, a file, or not said ("saved the report to …"). */
  is?: "file" | "folder";
};

/** "Created" means lately: a report from last week is not the one the claim is about. */
export const createdWithinMs = 24 * 60 * 60 * 1000;

/**
 * "file", "folder" (captured: a file where it says folder is FALSE), or a word for a file's content
 * ("the report"), with up to two words before it ("the backup file", "the output folder").
 */
const NOUN = String.raw`(?:(?:[\w-]+ ){0,2}?(?:(file|folder|directory|dir)|report|log|output|results?|backup|dump|archive|export|summary|document|csv|json|config) )?`;
const MADE = String.raw`(?:created|wrote|written|saved|generated|produced|exported|stored|dumped|copied|moved|put|placed|made)`;
const DETERMINER = String.raw`(?:(?:a|an|the|my|our|its|new|final|full) )*`;

/**
 * A thing a tool writes, named before it was made ("Output written to …", "Report generated: …").
 * A word before it may describe it ("the final output"), never deny it ("no output written to …").
 */
const THING = String.raw`((?:(?!(?:no|not|never|none|nothing|zero)\b)[\w-]+ ){0,2}?(?:file|folder|directory|dir|report|log|logs|output|results?|backup|dump|archive|export|summary|document|csv|json|config|data|artifacts?|snapshot|notes))`;
/** "weighs", "the size of": a size said other than with "is". */
const WEIGHS = String.raw`(?:weighs|measures|takes up|occupies|has a size of|has a file size of)`;
const size = (m: RegExpExecArray): Test | undefined => {
  const bytes = bytesOf(m[6]!, m[7]!);
  return Number.isFinite(bytes) ? { test: "size", op: opOf(m[5]!), bytes } : undefined;
};

type Shape = { re: RegExp; make: (m: RegExpExecArray) => Test | undefined; path: number; noun?: number };
const shapes: Shape[] = [
  {
    re: whole(String.raw`${WHO}(?:have |has )?${MADE} ${DETERMINER}${NOUN}${PATH}`),
    make: () => ({ test: "created" }),
    noun: 1,
    path: 2,
  },
  {
    // "Saved the report to /srv/out/report.txt": what was saved, in up to four words, then where.
    re: whole(
      String.raw`${WHO}(?:have |has )?${MADE} ${DETERMINER}((?:[\w.-]+ ){0,3}[\w.-]+) (?:to|at|in|into|as|under) ${PATH}`,
    ),
    make: () => ({ test: "created" }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(String.raw`(?:the )?${NOUN}${PATH} (?:exists?|is present|is there|is in place)`),
    make: () => ({ test: "exists" }),
    noun: 1,
    path: 2,
  },
  {
    // "/srv/out/2024 is a directory": what it is, so a file there is FALSE.
    re: whole(String.raw`(?:the )?${PATH} is (?:a |an )?(?:regular )?(file|folder|directory|dir)`),
    make: () => ({ test: "exists" }),
    path: 1,
    noun: 4,
  },
  {
    // "Output written to /srv/out/r.txt", "Report generated: /srv/out/r.pdf": the thing, then where.
    re: whole(
      String.raw`(?:the )?${THING}(?: (?:was|were|has been|have been|got))? ${MADE}(?: (?:to|at|in|into|as|under))?:? ${PATH}`,
    ),
    make: () => ({ test: "created" }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(
      String.raw`(?:the )?${NOUN}${PATH} (?:was|has been|got) (?:created|written|saved|generated|produced|made)`,
    ),
    make: () => ({ test: "created" }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(
      String.raw`(?:the )?${NOUN}${PATH} (?:does not exist|doesn't exist|no longer exists|is gone|is absent|is not there|isn't there|(?:was|has been) (?:deleted|removed|cleaned up))`,
    ),
    make: () => ({ test: "absent" }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(String.raw`${WHO}(?:deleted|removed|cleaned up|wiped|erased)(?: the)? ${NOUN}${PATH}`),
    make: () => ({ test: "absent" }),
    noun: 1,
    path: 2,
  },
  {
    // "The report is at /srv/out/report.txt": where a thing is, so it exists.
    re: whole(
      String.raw`(?:the )?(?:[\w-]+ ){0,2}(?:report|file|output|results?|log|backup|dump|archive|export|summary|data|artifact|document|config|configuration|csv|json|page|image|bundle|build|package|notes) (?:is|are|was saved|was written|has been saved|lives|can be found) at ${PATH}`,
    ),
    make: () => ({ test: "exists" }),
    path: 1,
  },
  {
    re: whole(
      String.raw`(?:there is |there's )?no (?:such )?(file|folder|directory|dir)(?: (?:at|called|named))? ${PATH}(?: any ?more)?`,
    ),
    make: () => ({ test: "absent" }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(
      String.raw`(?:the )?${NOUN}${PATH} (?:contains|includes|has the text|has the line|mentions|says) ${TEXT}`,
    ),
    make: (m) => ({ test: "contains", text: textOf(m, 5)! }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(
      String.raw`(?:the )?${NOUN}${PATH} (?:does not|doesn't|no longer) (?:contain|include|mention|say)s? ${TEXT}`,
    ),
    make: (m) => ({ test: "lacks", text: textOf(m, 5)! }),
    noun: 1,
    path: 2,
  },
  {
    re: whole(String.raw`(?:the )?${NOUN}${PATH} (?:${IS}|${WEIGHS} )${COMPARE}(?: than)? ${SIZE}`),
    make: size,
    noun: 1,
    path: 2,
  },
  {
    // "The size of /srv/out/a.csv is above 512 KB", "/srv/out/a.csv's size is under 1 MB".
    re: whole(
      String.raw`(?:the )?(?:file |total )?size of (?:the )?${NOUN}${PATH} ${IS}${COMPARE}(?: than)? ${SIZE}`,
    ),
    make: size,
    noun: 1,
    path: 2,
  },
  {
    re: whole(String.raw`(?:the )?${NOUN}${PATH}'s (?:file )?size ${IS}${COMPARE}(?: than)? ${SIZE}`),
    make: size,
    noun: 1,
    path: 2,
  },
  {
    re: whole(String.raw`(?:the )?${NOUN}${PATH} is (not empty|non-empty|empty)`),
    make: (m) => ({ test: m[5]!.toLowerCase() === "empty" ? "empty" : "nonempty" }),
    noun: 1,
    path: 2,
  },
];

export default defineKind<FileClaim>({
  type: "file",
  description:
    "A file or folder exists, was created lately, holds a text, or is larger or smaller than a size.",
  rank: 30,
  examples: [
    "Created file /tmp/report.txt",
    "Saved the report to /srv/out/report.txt",
    "I've written the summary into /srv/out/summary.md",
    "/srv/out/report.txt exists",
    "the folder /srv/out/2024 was created",
    '/srv/out/report.txt contains "total: 42"',
    "/srv/out/report.txt does not contain 'ERROR'",
    "/srv/out/dump.sql is larger than 2 GB",
    "the file /srv/out/a.log is smaller than 500 KB",
    "I deleted /srv/out/old.log",
    "/srv/out/report.txt is not empty",
    "Output written to /srv/out/report.txt",
    "Report generated: /srv/out/report.pdf",
    "/srv/out/big.bin weighs more than 2.5 MB",
    "The size of /srv/out/a.csv is above 512 KB",
    "/srv/out/2024 is a directory",
  ],
  refuses: [
    "Saved the report",
    "Created the report in the output folder",
    "the file exists",
    "I wrote the tests",
  ],
  parse(part): Parsed<FileClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      const p = pathOf(m, s.path);
      const test = s.make(m);
      if (p === undefined || test === undefined) continue;
      const noun = (s.noun === undefined ? undefined : m[s.noun])?.toLowerCase().split(" ").at(-1);
      const is =
        noun === "file"
          ? "file"
          : noun && ["folder", "directory", "dir"].includes(noun)
            ? "folder"
            : undefined;
      return { claim: { ...test, path: p, ...(is ? { is } : {}) }, subject: p };
    }
    return undefined;
  },
  async observe(claim, sources, signal) {
    const what = `${claim.is ?? "file"} ${claim.path}`;
    const expected = expectation(claim);
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    const allowed = await allowedPath(claim.path, sources.paths());
    if (!allowed.ok) return [notSeen(what, expected, allowed.why)];
    const st = await fs.lstat(allowed.real).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error) {
      if (st.code === "ENOENT" || st.code === "ENOTDIR")
        return [seen(what, expected, "no such file or folder", claim.test === "absent")];
      return [notSeen(what, expected, `cannot be read: ${st.code ?? st.message}`)];
    }
    if (claim.test === "absent") return [seen(what, expected, `it exists (${describe(st)})`, false)];
    const kind = kindCheck(claim, what, st);
    if (kind) return [kind];
    return observeTest(claim, what, expected, allowed.real, st, sources, signal);
  },
});

function expectation(c: FileClaim): string {
  switch (c.test) {
    case "exists":
      return "exists";
    case "absent":
      return "does not exist";
    case "created":
      return `exists, modified in the last ${createdWithinMs / 3_600_000} h`;
    case "contains":
      return `contains "${c.text}"`;
    case "lacks":
      return `does not contain "${c.text}"`;
    case "size":
      return `size ${opWords[c.op]} ${showBytes(c.bytes)}`;
    case "empty":
      return "empty";
    case "nonempty":
      return "not empty";
  }
}

function describe(st: Stats): string {
  return st.isDirectory()
    ? "a folder"
    : st.isFile()
      ? `a file of ${showBytes(st.size)}`
      : "neither file nor folder";
}

/** A file where the claim says folder (or the reverse) is FALSE; a folder where it names none is not said. */
function kindCheck(claim: FileClaim, what: string, st: Stats): Observation | undefined {
  const expected = claim.is === "folder" ? "a folder" : "a file";
  if (st.isSymbolicLink()) return notSeen(what, expected, "a symbolic link that leads nowhere readable");
  if (claim.is === "folder" && !st.isDirectory()) return seen(what, expected, describe(st), false);
  if (claim.is === "file" && !st.isFile()) return seen(what, expected, describe(st), false);
  if (claim.is === undefined && st.isDirectory() && claim.test === "created")
    return notSeen(what, "a file", "a folder; the claim does not say which file in it");
  return undefined;
}

async function observeTest(
  claim: FileClaim,
  what: string,
  expected: string,
  real: string,
  st: Stats,
  sources: ClaimSources,
  signal: AbortSignal,
): Promise<Observation[]> {
  switch (claim.test) {
    case "exists":
      return [seen(what, expected, `it exists (${describe(st)})`, true)];
    case "created": {
      const ago = sources.now() - st.mtimeMs;
      const when = ago < 0 ? "in the future" : `${Math.round(ago / 60_000)} min ago`;
      return [seen(what, expected, `${describe(st)}, modified ${when}`, ago < createdWithinMs)];
    }
    case "size":
      if (!st.isFile()) return [notSeen(what, expected, `${describe(st)}: a size is a file's`)];
      return [seen(what, expected, showBytes(st.size), compare(st.size, claim.op, claim.bytes))];
    case "empty":
    case "nonempty": {
      const empty = st.isDirectory() ? (await fs.readdir(real)).length === 0 : st.size === 0;
      return [
        seen(
          what,
          expected,
          empty ? "empty" : st.isDirectory() ? "has entries" : showBytes(st.size),
          empty === (claim.test === "empty"),
        ),
      ];
    }
    case "contains":
    case "lacks": {
      const wanted = claim.test === "contains";
      if (st.isDirectory()) return [await folderHolds(real, claim.text, what, expected, wanted)];
      if (!st.isFile()) return [notSeen(what, expected, `${describe(st)}: only a file's text is read`)];
      const found = await findText(real, claim.text, signal);
      if (found === "aborted")
        return [notSeen(what, expected, "not read to the end: the claim's time ran out")];
      if (found === "too large")
        return [
          notSeen(what, expected, `not found in its first ${showBytes(maxReadBytes)}; the rest was not read`),
        ];
      if (typeof found === "object") return [notSeen(what, expected, `cannot be read: ${found.error}`)];
      return [seen(what, expected, found ? "the text is in it" : "the text is not in it", found === wanted)];
    }
    case "absent":
      return [seen(what, expected, `it exists (${describe(st)})`, false)];
  }
}

/** "/srv/out contains report.txt": a name in the folder. */
async function folderHolds(
  dir: string,
  name: string,
  what: string,
  expected: string,
  wanted: boolean,
): Promise<Observation> {
  if (name.includes("/") || name === "." || name === "..")
    return notSeen(what, expected, "a folder holds names, not paths");
  const there = await fs.lstat(path.join(dir, name)).then(
    () => true,
    () => false,
  );
  return seen(what, expected, there ? `${name} is in it` : `no ${name} in it`, there === wanted);
}
