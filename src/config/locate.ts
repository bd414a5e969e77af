/** Finds where a key path sits in the YAML source, so a problem can say `file:line:col`. */
import { isMap, isScalar, isSeq, type Document, type Node } from "yaml";

export type KeyPath = readonly (string | number | symbol)[];

/**
 * The source offset of the value at `path`, or of its key with `atKey`; when the path does not exist
 * (a required key is missing), the offset of the deepest part that does.
 */
export function locate(doc: Document, path: KeyPath, atKey = false): number {
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
