/**
 * Finds the plug-ins of one folder, so that adding a check type, a provider or an action kind is one
 * file and never an edit to a list. Every module directly in the folder is a plug-in, except tests,
 * contract suites and the folder's own named infrastructure files; each default-exports one plug-in
 * whose `type` is its file name. A file that breaks this rule stops the start with its name: a
 * plug-in that is silently skipped would be a key that is accepted and does nothing.
 *
 * Discovery at start rather than a generated index: nothing to regenerate or forget, and the cost
 * is one readdir and the imports the index would have made anyway.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Registry } from "./registry.ts";

export interface PluginFolder {
  /** What the plug-ins are, for messages: "probe", "provider", "action kind". */
  kind: string;
  /** `import.meta.url` of a module in the folder: the folder, and `.ts` or `.js` by how the code runs. */
  from: string;
  /** File names (without extension) in the folder that are not plug-ins. */
  infrastructure: readonly string[];
  /** Why a default export is not a complete plug-in, or undefined when it is one. */
  incomplete(plugin: Record<string, unknown>): string | undefined;
}

/** The plug-in files of a folder, sorted, as absolute paths. */
export function pluginFiles(folder: Pick<PluginFolder, "from" | "infrastructure">): string[] {
  const self = fileURLToPath(folder.from);
  const dir = path.dirname(self);
  const ext = path.extname(self);
  return fs
    .readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith(ext) &&
        !/\.(test|contract|d)\.[jt]s$/.test(f) &&
        !folder.infrastructure.includes(f.slice(0, -ext.length)),
    )
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Imports every plug-in of the folder into a registry by type.
 *
 * @example
 * export const probes = await discoverPlugins<Probe>({ kind: "probe", from: import.meta.url,
 *   infrastructure: ["index", "probe"], incomplete: missingProbeFields });
 */
export async function discoverPlugins<T extends { type: string }>(
  folder: PluginFolder,
): Promise<Registry<T>> {
  const registry = new Registry<T>(folder.kind);
  for (const file of pluginFiles(folder)) {
    const name = path.basename(file, path.extname(file));
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    const plugin = mod.default;
    const where = `${folder.kind} file ${path.basename(file)}`;
    if (plugin === null || typeof plugin !== "object")
      throw new Error(`${where} has no default export; a ${folder.kind} file default-exports its plug-in`);
    const p = plugin as Record<string, unknown>;
    if (p.type !== name) throw new Error(`${where}: its type is "${String(p.type)}"; it must be "${name}"`);
    const why = folder.incomplete(p);
    if (why) throw new Error(`${where} is incomplete: ${why}`);
    registry.register(name, plugin as T);
  }
  return registry;
}

/** For `incomplete`: the names of required fields that are missing or of the wrong kind. */
export function missingFields(
  p: Record<string, unknown>,
  fields: Record<string, "string" | "function" | "array" | "object">,
): string | undefined {
  const wrong = Object.entries(fields).filter(([k, kind]) => {
    const v = p[k];
    if (kind === "array") return !Array.isArray(v);
    if (kind === "object") return v === null || typeof v !== "object";
    return typeof v !== kind;
  });
  return wrong.length === 0 ? undefined : `it lacks ${wrong.map(([k, kind]) => `${k} (${kind})`).join(", ")}`;
}

/**
 * Which plug-in a config object names: a check, a channel or an action holds exactly one plug-in's
 * type as a key (the schema sees to it), with that plug-in's settings as its value.
 */
export function pluginIn<T>(
  registry: Registry<T>,
  holder: object,
): { type: string; plugin: T; settings: never } | undefined {
  const h = holder as Record<string, unknown>;
  const type = registry.names().find((t) => h[t] !== undefined);
  return type === undefined ? undefined : { type, plugin: registry.get(type)!, settings: h[type] as never };
}
