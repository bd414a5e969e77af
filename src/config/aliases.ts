/**
 * YAML aliases (`*name`) repeat what an anchor (`&name`) holds, so 558 bytes of nested aliases can
 * stand for a billion values ("billion laughs"). Before anything walks the values, the expanded size
 * is counted against a budget: values past it are refused at the alias that crossed it, with its
 * position, in time and memory proportional to the file, never to its expansion.
 */
import type { Document, Node } from "yaml";
import { yamlDocuments, type KeyPath } from "./locate.ts";

/** Values a config may expand to: far above any real one, and reached in well under a second. */
export function valueBudget(textLength: number): number {
  return Math.max(100_000, textLength);
}

/** Whether the parsed tree (aliases shared, as js-yaml returns them) holds more values than `budget`. */
export function overBudget(root: unknown, budget: number): boolean {
  let count = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (++count > budget) return true;
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v !== null && typeof v === "object") for (const x of Object.values(v)) stack.push(x);
  }
  return false;
}

export interface AliasProblem {
  offset: number;
  path: KeyPath;
  message: string;
}

/** Deeper than this, a size is not computed but refused: no config nests like that. */
const maxNesting = 500;

/**
 * The first place where the document, its aliases expanded, passes `budget` values; undefined when
 * it stays within. Counts values the way `overBudget` does (keys are not values).
 */
export function aliasProblem(doc: Document, budget: number): AliasProblem | undefined {
  const { isAlias, isMap, isSeq } = yamlDocuments();
  const sizes = new Map<unknown, number>();
  const size = (node: unknown, depth: number): number => {
    if (depth > maxNesting) return Infinity;
    if (isAlias(node)) return size(node.resolve(doc), depth + 1);
    if (!isMap(node) && !isSeq(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, Infinity); // an alias to a collection that holds it never ends
    let total = 1;
    for (const item of node.items as unknown[]) {
      total += size(isMap(node) ? (item as { value: unknown }).value : item, depth + 1);
      if (total > budget) break;
    }
    sizes.set(node, total);
    return total;
  };

  const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString("en") : "endlessly many");
  let total = 0;
  const walk = (node: unknown, path: KeyPath, depth: number): AliasProblem | undefined => {
    if (isAlias(node)) {
      const n = size(node, depth);
      total += n;
      if (total <= budget) return undefined;
      return {
        offset: node.range?.[0] ?? 0,
        path,
        message: `the alias *${node.source} expands to ${fmt(n)} values; aliases may expand the config to at most ${fmt(budget)} values in all: write the values out, or nest fewer aliases`,
      };
    }
    total += 1;
    if (total > budget) {
      return {
        offset: (node as Node | null)?.range?.[0] ?? 0,
        path,
        message: `the config holds more than ${fmt(budget)} values; split it, or write fewer`,
      };
    }
    if (depth > maxNesting) {
      return {
        offset: (node as Node | null)?.range?.[0] ?? 0,
        path,
        message: `nested deeper than ${maxNesting} levels`,
      };
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = (pair.key as { value?: unknown } | null)?.value;
        const found = walk(pair.value, [...path, String(key)], depth + 1);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i], depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(doc.contents, [], 0);
}
