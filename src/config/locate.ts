/** Finds where a key path sits in the YAML source, so a problem can say `file:line:col`. */
import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { Document, Node } from "yaml";

let loaded: typeof Yaml | undefined;
/**
 * The `yaml` Document API, loaded the first time a config is invalid: a valid one is read with
 * js-yaml, and the daemon would otherwise keep yaml's 72 modules for good. Its Node build is
 * CommonJS, so `require` loads it at once and loading a config stays synchronous.
 */
export function yamlDocuments(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return loaded;
}

export type KeyPath = readonly (string | number | symbol)[];

/**
 * The source offset of the value at `path`, or of its key with `atKey`; when the path does not exist
 * (a required key is missing), the offset of the deepest part that does.
 */
export function locate(doc: Document, path: KeyPath, atKey = false): number {
  const { isMap, isScalar, isSeq } = yamlDocuments();
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return offset;
      const last = i === path.length - 1;
      const keyStart = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (last && atKey && keyStart !== undefined) return keyStart;
      node = pair.value;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item) return offset;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else return offset;
  }
  return offset;
}

/** `services.api.expect[0]`: how a person reads a key path. */
export function formatPath(path: KeyPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}
