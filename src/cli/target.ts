/**
 * Where the running agent is and which token to present: `$VIGIL_URL` and `$VIGIL_TOKEN` first, then
 * the config (`-c`, `$VIGIL_CONFIG`, `./vigil.yaml`): its `agent.listen` and `<data_dir>/admin.token`.
 * Only those two keys are read, so the CLI works even when the config needs secrets this shell lacks.
 */
import fs from "node:fs";
import path from "node:path";
import jsyaml from "js-yaml";
import { listenUrl } from "../app/listen-address.ts";
import { adminTokenFile } from "../app/admin-token.ts";
import { configPath } from "./up-args.ts";

export interface AgentTarget {
  url: string;
  token: string | undefined;
  /** Where the token came from, or where it was looked for: what a 401 tells the person. */
  tokenSource?: string;
}

export function resolveTarget(configFlag: string | undefined, env: NodeJS.ProcessEnv): AgentTarget {
  const file = configPath(configFlag, env);
  let listen = "127.0.0.1:7070";
  let dataDir = path.resolve(path.dirname(file), ".vigil");
  try {
    // js-yaml, as the config's fast path reads it: the agent need not load the yaml package for this.
    const doc = jsyaml.load(fs.readFileSync(file, "utf8"), { schema: jsyaml.CORE_SCHEMA }) as {
      agent?: { listen?: unknown; data_dir?: unknown };
    } | null;
    if (typeof doc?.agent?.listen === "string") listen = doc.agent.listen;
    if (typeof doc?.agent?.data_dir === "string")
      dataDir = path.resolve(path.dirname(file), doc.agent.data_dir);
  } catch {
    // No readable config: the defaults above are what `vigil up` would use.
  }
  let token = env.VIGIL_TOKEN;
  let tokenSource = "$VIGIL_TOKEN";
  if (!token) {
    const tokenFile = adminTokenFile(dataDir);
    try {
      token = fs.readFileSync(tokenFile, "utf8").trim();
      tokenSource = tokenFile;
    } catch (e) {
      token = undefined;
      tokenSource = `${tokenFile} (${(e as NodeJS.ErrnoException).code ?? "unreadable"}), and $VIGIL_TOKEN is not set`;
    }
  }
  return { url: (env.VIGIL_URL ?? listenUrl(listen)).replace(/\/+$/, ""), token, tokenSource };
}
