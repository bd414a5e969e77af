/**
 * Claim verification: a sentence an AI assistant wrote ("I've started nginx and it's listening on
 * 8080") checked against the machine, answered TRUE, FALSE or UNVERIFIABLE with what was seen.
 *
 * A claim is split into parts on ";", ",", "and", "but" (outside quotes); each part must be read by
 * exactly one claim kind (`kinds/`, anchored patterns) or it is UNVERIFIABLE ("no check for 'tests
 * pass'"). "it" and a part with no subject ("returns 200 on /health") take the previous part's.
 * The verdict: FALSE when any look saw a part not hold; else UNVERIFIABLE when any part could not
 * be read or looked at (outside the allowed paths and hosts, a timeout); TRUE only when every part
 * was looked at and held. The claim's time (`governance.verify.timeout`) bounds every look.
 *
 * Owns: understanding claims and observing them. Must not import: app, api, cli, notify.
 */
import type { Verdict } from "../types.ts";
import type { ClaimKind, KnownNames, Observation, Parsed } from "./kind.ts";
import { notSeen } from "./kind.ts";
import { kindsInOrder } from "./kinds/index.ts";
import { knownNames, type ClaimSources } from "./sources.ts";
import { maxParts, normalize, splitParts } from "./split.ts";
import { verdictOf, type PartOutcome } from "./verdict.ts";

export type { ClaimSources } from "./sources.ts";

/** A claim longer than this is refused (VALIDATION_FAILED) before anything is looked at. */
export const maxClaimChars = 2_000;

export interface CheckOptions {
  /** The time all parts together may take (`governance.verify.timeout`). */
  timeoutMs: number;
  /** Aborted when the caller goes away or the agent stops. */
  signal?: AbortSignal;
}

interface Understood {
  part: string;
  kind: ClaimKind<never>;
  claim: never;
}

/**
 * Checks one claim. Never throws for what the claim says or what the machine shows; the caller
 * bounds the claim's length (`maxClaimChars`).
 *
 * @example const v = await checkClaim("Port 5432 is listening", sources, { timeoutMs: 5_000 });
 */
export async function checkClaim(claim: string, sources: ClaimSources, opts: CheckOptions): Promise<Verdict> {
  const parts = splitParts(normalize(claim));
  if (parts.length > maxParts) {
    const why = `the claim has ${parts.length} parts; at most ${maxParts} are checked, so none was`;
    return verdictOf(claim, [{ part: claim, unverifiable: why }]);
  }
  const understood = understand(parts, knownNames(sources));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error("timeout")), opts.timeoutMs);
  const onAbort = () => deadline.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  const expired = new Promise<"expired">((resolve) => {
    if (deadline.signal.aborted) resolve("expired");
    deadline.signal.addEventListener("abort", () => resolve("expired"), { once: true });
  });
  try {
    const outcomes = await Promise.all(
      understood.map((u) =>
        "kind" in u && "claim" in u
          ? observeWithin(u, sources, deadline.signal, expired, opts)
          : Promise.resolve(u),
      ),
    );
    return verdictOf(claim, outcomes);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

async function observeWithin(
  u: Understood,
  sources: ClaimSources,
  signal: AbortSignal,
  expired: Promise<"expired">,
  opts: CheckOptions,
): Promise<PartOutcome> {
  const late = (): Observation[] => [
    notSeen(u.part, "an answer", `not answered within ${opts.timeoutMs} ms (governance.verify.timeout)`),
  ];
  try {
    const got = await Promise.race([u.kind.observe(u.claim, sources, signal), expired]);
    const observations = got === "expired" ? late() : got;
    return { part: u.part, kind: u.kind.type, observations };
  } catch (e) {
    if (signal.aborted) return { part: u.part, kind: u.kind.type, observations: late() };
    return { part: u.part, unverifiable: `'${u.part}' could not be checked: ${String(e).slice(0, 200)}` };
  }
}

/** Verbs a part may open with when it goes on about the previous part's subject. */
const continues =
  /^(?:is|are|was|has|have|returns|answers|responds|serves|listens|listening|accepts|contains|runs)\b/i;

/**
 * How a claim is read, without looking at anything: each part with the kind that takes it and its
 * parsed claim, or why it is not checkable. For tests and for explaining a verdict.
 */
export function readClaim(
  claim: string,
  known: KnownNames,
): ({ part: string; kind: string; claim: unknown } | { part: string; unverifiable: string })[] {
  return understand(splitParts(normalize(claim)), known).map((u) =>
    "claim" in u
      ? { part: u.part, kind: u.kind.type, claim: u.claim }
      : (u as { part: string; unverifiable: string }),
  );
}

/** Each part to the kind that takes it, "it" and a missing subject taken from the part before. */
function understand(parts: string[], known: KnownNames): (Understood | PartOutcome)[] {
  let subject: string | undefined;
  /** The previous part as read, when it ends with its subject: "Saved /a" lends "Saved " to "/b". */
  let lead: string | undefined;
  return parts.map((part) => {
    let text = part;
    if (/^it\b/i.test(text)) {
      if (subject === undefined) return { part, unverifiable: `'it' in '${part}' names nothing before it` };
      text = subject + text.slice(2);
    }
    let found = offer(text, known);
    if (!found && subject !== undefined && continues.test(text)) found = offer(`${subject} ${text}`, known);
    // "Saved /srv/a and /srv/b", "I started nginx and postgres": a bare object takes the verb before it.
    if (!found && lead !== undefined && bareObject.test(text)) found = offer(lead + text, known);
    if (!found) return { part, unverifiable: `no check for '${part}'` };
    const [kind, parsed, read] = found;
    subject = parsed.subject ?? subject;
    lead =
      parsed.subject !== undefined && read.endsWith(parsed.subject)
        ? read.slice(0, read.length - parsed.subject.length)
        : undefined;
    if ("unverifiable" in parsed) return { part, unverifiable: `${part}: ${parsed.unverifiable}` };
    return { part, kind, claim: parsed.claim };
  });
}

/** A part that is only a name or a path. */
const bareObject = /^(?:[\w.@+-]+|\/\S*)$/;

function offer(
  text: string,
  known: KnownNames,
): [ClaimKind<never>, NonNullable<Parsed<never>>, string] | undefined {
  for (const kind of kindsInOrder) {
    const parsed = kind.parse({ text }, known);
    if (parsed) return [kind, parsed, text];
  }
  return undefined;
}
