/**
 * The claim-kind contract. A kind knows one sort of fact (a process runs, a port listens, a file
 * holds a text): `parse` recognises the sentences that state it, strictly, and `observe` looks at
 * the machine and says what it saw. A kind is one file in `kinds/`, found by `kinds/index.ts`;
 * `kinds/contract.test.ts` holds every one to this contract.
 *
 * Owns: the shape of a kind. Must not import: app, api, cli.
 */
import type { ClaimCheck } from "../types.ts";
import { missingFields } from "../../core/plugins.ts";
import type { ClaimSources } from "./sources.ts";

/** One part of a claim, as the splitter hands it over (claims/split.ts). */
export interface ClaimPart {
  /** The part's text: trimmed, one space between words, no closing full stop, openers like "I've" kept. */
  text: string;
}

/** Names the agent knows, so that "api is healthy" means the target api and not a process called api. */
export interface KnownNames {
  targets: ReadonlySet<string>;
  /** Check targets that read a container (`container:` checks and compose members). */
  containers: ReadonlySet<string>;
  actions: ReadonlySet<string>;
  jobs: ReadonlySet<string>;
}

/** What a kind makes of a part: not its kind, its kind but not checkable (why), or a claim to observe. */
export type Parsed<P> =
  undefined | { unverifiable: string; subject?: string } | { claim: P; subject?: string };

/**
 * One observation. `unverifiable` marks a look that could not be taken (outside the allowed paths,
 * a timeout, a process this user cannot see): never counted as holding, never as false.
 */
export interface Observation extends ClaimCheck {
  unverifiable?: true;
}

export interface ClaimKind<P = unknown> {
  /** The file's name: "process", "port". */
  readonly type: string;
  /** One line: what it checks. */
  readonly description: string;
  /**
   * Lower ranks are asked first; the first kind that takes a part has it. Names the agent manages
   * (targets, actions) are asked before processes and files, so "api is up" is the target api.
   */
  readonly rank: number;
  /** Sentences it understands, each with the claim its parse gives: the contract test parses them. */
  readonly examples: readonly string[];
  /** Sentences of its field it must leave alone (they would be guesses): the contract test checks them. */
  readonly refuses: readonly string[];
  /**
   * Recognises a part; `subject` is what a following "it" refers to. Pure and synchronous: anchored
   * patterns over the whole part, never a keyword found somewhere in it.
   */
  parse(part: ClaimPart, known: KnownNames): Parsed<P>;
  /**
   * Looks at the machine. Reads only; honours `signal` (the claim's deadline); never throws on
   * what it finds (a missing file is an observation), only on a bug.
   */
  observe(claim: P, sources: ClaimSources, signal: AbortSignal): Promise<Observation[]>;
}

/**
 * A kind, typed by its claim.
 * @example export default defineKind({ type: "memory", rank: 50, description: "...", examples: [...],
 *   refuses: [...], parse: (part) => ..., observe: async (claim) => [...] });
 */
export function defineKind<P>(kind: ClaimKind<P>): ClaimKind<P> {
  return kind;
}

export function incompleteKind(p: Record<string, unknown>): string | undefined {
  if (typeof p.rank !== "number") return "it lacks rank (number)";
  return missingFields(p, {
    type: "string",
    description: "string",
    examples: "array",
    refuses: "array",
    parse: "function",
    observe: "function",
  });
}

/** Observed text is cut here: an audit entry and a chat message stay readable. */
const maxObserved = 300;

export function seen(what: string, expected: string, observed: string, ok: boolean): Observation {
  return { what, expected, observed: clip(observed), ok };
}

/** A look that could not be taken, and why: makes its part UNVERIFIABLE unless another part is FALSE. */
export function notSeen(what: string, expected: string, why: string): Observation {
  return { what, expected, observed: clip(why), ok: false, unverifiable: true };
}

function clip(s: string): string {
  return s.length > maxObserved ? `${s.slice(0, maxObserved - 1)}…` : s;
}
