/**
 * The action-kind registry, found rather than listed: every `<kind>.ts` in this folder is a kind
 * an action may declare (core/plugins.ts).
 */
import { discoverPlugins, pluginIn } from "../../core/plugins.ts";
import { incompleteActionKind, type ActionKind } from "../action-kind.ts";

export const actionKinds = await discoverPlugins<ActionKind<never>>({
  kind: "action kind",
  from: import.meta.url,
  infrastructure: ["index"],
  incomplete: incompleteActionKind,
});

/** A declaration's kind and its settings: an action holds exactly one kind's key (config/schema.ts). */
export function kindOf(decl: object): { type: string; kind: ActionKind<never>; settings: never } {
  const found = pluginIn(actionKinds, decl);
  if (!found) throw new Error(`an action without a kind passed validation: ${Object.keys(decl).join(", ")}`);
  return { type: found.type, kind: found.plugin, settings: found.settings };
}
