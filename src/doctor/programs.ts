/**
 * Whether a program would start, without starting it: found where the process would look (a path
 * relative to its working folder, or PATH), a regular file, executable by this user. Nothing here
 * executes anything; that only ever happens through the gateway and the supervisor.
 */
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { type Finding, ok, problem } from "./finding.ts";

export type ProgramLookup =
  | { found: true; file: string }
  | { found: false; reason: "missing" | "not-executable" | "directory"; file?: string };

async function kind(file: string): Promise<"file" | "directory" | "missing"> {
  try {
    const st = await fs.stat(file);
    return st.isDirectory() ? "directory" : "file";
  } catch {
    return "missing";
  }
}

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `program` the way spawning it would: a name with a slash from `cwd`, a bare name on `searchPath`. */
export async function findProgram(program: string, cwd: string, searchPath: string): Promise<ProgramLookup> {
  if (program.includes("/")) {
    const file = path.resolve(cwd, program);
    const k = await kind(file);
    if (k !== "file") return { found: false, reason: k === "directory" ? "directory" : "missing", file };
    return (await executable(file))
      ? { found: true, file }
      : { found: false, reason: "not-executable", file };
  }
  let notExecutable: string | undefined;
  for (const dir of searchPath.split(":").filter((d) => d !== "")) {
    const file = path.resolve(cwd, dir, program);
    if ((await kind(file)) !== "file") continue;
    if (await executable(file)) return { found: true, file };
    notExecutable ??= file;
  }
  return notExecutable
    ? { found: false, reason: "not-executable", file: notExecutable }
    : { found: false, reason: "missing" };
}

/**
 * One finding for a command's program. `key` is where the command is written (`services.web.command`),
 * so the fix names the line to change.
 */
export async function checkProgram(
  thing: string,
  argv: readonly string[],
  where: { cwd: string; searchPath: string; key: string },
): Promise<Finding> {
  const program = argv[0] ?? "";
  const r = await findProgram(program, where.cwd, where.searchPath);
  if (r.found) return ok(thing, `${program} → ${r.file} exists and is executable`);
  if (r.reason === "not-executable")
    return problem(thing, `${r.file} exists but is not executable`, `chmod +x ${r.file}`);
  if (r.reason === "directory")
    return problem(thing, `${r.file} is a folder, not a program`, `name the program itself in ${where.key}`);
  if (path.isAbsolute(program))
    return problem(
      thing,
      `program ${program} does not exist`,
      `install it there, or fix the path in ${where.key}`,
    );
  if (program.includes("/"))
    return problem(
      thing,
      `program ${program} does not exist (looked for ${r.file})`,
      `fix the path in ${where.key}; a relative path starts from ${where.cwd}`,
    );
  return problem(
    thing,
    `program "${program}" is not on PATH (${where.searchPath})`,
    `install it, or write its full path in ${where.key}`,
  );
}

/** One finding for a folder that must exist (a working folder, a folder to clean). */
export async function checkFolder(
  thing: string,
  folder: string,
  key: string,
  needWrite = false,
): Promise<Finding> {
  const k = await kind(folder);
  if (k === "missing") return problem(thing, `folder ${folder} does not exist`, `create it, or fix ${key}`);
  if (k !== "directory") return problem(thing, `${folder} is a file, not a folder`, `fix ${key}`);
  if (needWrite) {
    try {
      await fs.access(folder, constants.W_OK);
    } catch {
      return problem(
        thing,
        `folder ${folder} is not writable by this user`,
        `give the agent's user write access to it, or fix ${key}`,
      );
    }
  }
  return ok(thing, `folder ${folder} exists${needWrite ? " and is writable" : ""}`);
}
