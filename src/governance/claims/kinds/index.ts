/**
 * The claim kinds, found rather than listed: every `<kind>.ts` in this folder is one (core/plugins.ts),
 * asked in the order of its `rank`.
 */
import { discoverPlugins } from "../../../core/plugins.ts";
import { incompleteKind, type ClaimKind } from "../kind.ts";

export const claimKinds = await discoverPlugins<ClaimKind<never>>({
  kind: "claim kind",
  from: import.meta.url,
  infrastructure: ["index"],
  incomplete: incompleteKind,
});

/** Every kind, in the order a part is offered to them. */
export const kindsInOrder: readonly ClaimKind<never>[] = claimKinds
  .entries()
  .map(([, k]) => k)
  .sort((a, b) => a.rank - b.rank || a.type.localeCompare(b.type));
