/**
 * The local admin token: written to `<data_dir>/admin.token` (mode 0600) at first start so the CLI on
 * this machine can talk to the agent without anyone copying a secret around.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const adminTokenFile = (dataDir: string) => path.join(dataDir, "admin.token");

export function ensureAdminToken(dataDir: string): string {
  const file = adminTokenFile(dataDir);
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing.length >= 32) {
      fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const token = randomBytes(32).toString("base64url");
  // Written to a temp name and renamed: a crash never leaves a half-written token behind.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, token + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}
