/**
 * Which files a claim may read: only under `governance.verify.paths` and `agent.data_dir`, judged
 * on the real path (symlinks followed, ".." resolved), so no link or dot-dot leads out. The file
 * is then opened by that real path, never by the name the claim gave.
 */
import fs from "node:fs/promises";
import path from "node:path";

export type Allowed = { ok: true; real: string } | { ok: false; why: string };

export async function allowedPath(given: string, roots: readonly string[]): Promise<Allowed> {
  if (!path.isAbsolute(given)) return { ok: false, why: `${given} is not an absolute path` };
  const real = await realOrParent(path.resolve(given));
  const inside = [];
  for (const root of roots) {
    const r = await fs.realpath(root).catch(() => undefined);
    if (r !== undefined) inside.push(r);
  }
  if (
    real !== undefined &&
    inside.some((r) => real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep))
  )
    return { ok: true, real };
  return {
    ok: false,
    why: `${given} is outside governance.verify.paths and agent.data_dir, so it was not read`,
  };
}

/** The real path; for a path that does not exist, its nearest existing folder's real path and the rest. */
async function realOrParent(p: string): Promise<string | undefined> {
  let rest = "";
  let at = p;
  for (let i = 0; i < 256; i++) {
    try {
      const real = await fs.realpath(at);
      return rest === "" ? real : path.join(real, rest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" && (e as NodeJS.ErrnoException).code !== "ENOTDIR")
        return undefined;
      const parent = path.dirname(at);
      if (parent === at) return undefined;
      rest = rest === "" ? path.basename(at) : path.join(path.basename(at), rest);
      at = parent;
    }
  }
  return undefined;
}
