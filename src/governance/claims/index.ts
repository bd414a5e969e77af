/**
 * Claim verification: a sentence an AI assistant wrote ("I've started nginx and it's listening on
 * 8080") checked against the machine, answered TRUE, FALSE or UNVERIFIABLE with what was seen.
 *
 * ## Claim grammar
 *
 * A claim is split into parts on ";", ",", "and", "but" (never inside quotes); each part is one
 * fact. Openers that state nothing are dropped ("Done:", "✅", "I can confirm that", "Verified
 * that", "now", "successfully" before a verb, a ticked "[x]", "up and running" is "running"); a status line's
 * "name: state" ("Service api: healthy", "nginx: running") is "name is state". "it" means the
 * previous part's subject; a part that starts with its verb takes it too ("api is healthy and
 * returns 200 on /health"); a bare object takes the previous verb ("Saved /a and /b", "nginx and postgres are
 * running", "Ports 80 and 443 are open", "/a and /b exist"); "Neither a nor b is running" is two negations. Each part is read by one kind (`kinds/<kind>.ts`, anchored patterns over the whole
 * part, asked in `rank` order):
 *
 * - container: "container web is running", "the db container is healthy", "I stopped the container
 *   x"; by the check that reads it, else the engine at `agent.docker.host`, else UNVERIFIABLE.
 * - target (this agent's services and checks, by name, any case): "Service api is healthy", "api is
 *   up / down / running / stopped / failing / no longer failing / isn't failing", "Health check
 *   db-ping is failing", "I restarted api".
 * - run: "action run <id> succeeded", "the last run of reindex failed", "the say-hello action ran
 *   successfully", "job nightly ran successfully", "the backup backup-db succeeded" (its newest dump
 *   good and under a day old). "action x" for an action this agent does not have is FALSE.
 * - file (absolute paths; quoted ones may hold spaces): "Created file /tmp/report.txt", "Saved the
 *   report to /srv/out/report.txt", "Output written to …", "Report generated: …" (exists, modified
 *   in the last 24 h), "/srv/out/r.txt exists / does not exist / was deleted", "… contains
 *   \"total: 42\"" / "does not contain …", "… is larger than 2 GB / smaller than 500 KB / not
 *   empty" ("weighs more than", "the size of … is above"), "the folder /srv/out/2024 was created".
 * - http: "http://127.0.0.1:8001/health returns 200" (or "does not return 500"), "… is up / is down",
 *   "… contains \"ok\"", "… responds within 500 ms", "The API answers 200 on <url>", "api returns
 *   200 on /health" (a service's own port), "HTTP 200 from <url>", "curl -s <url> → 200", "<url>
 *   returns 200 with status ok" (and the JSON body's field), "<url> redirects with 301". Redirects
 *   followed on the same host only, and not when the claim names a 3xx.
 * - port: "Port 5432 is listening / open / closed / free", "nothing listens on port 6379",
 *   "127.0.0.1:8080 accepts connections", "port 80 is listening on ::1", "the server is listening
 *   on port 8080", "the app is listening on http://127.0.0.1:8080" (a bare host and port), "nginx is
 *   listening on 8080" (and nginx holds it), "I freed port 8080".
 * - disk: "Disk usage of / is below 80%", "/srv is less than 90% full", "There is at least 2 GB free
 *   on /srv", "Less than 80% of / is used". memory: "memory use is under 90%", "Less than 90% of
 *   memory is used", "At least 2 GB of memory is available".
 * - process (by comm or argv[0]'s base name, any case): "Process postgres is running", "I've started
 *   nginx", "the vigil-x process is active", "the x worker process is up", "redis isn't running",
 *   "I stopped nginx", "There is no java process". Only its daemon names running ("redis-server"
 *   for "redis") is UNVERIFIABLE.
 *
 * Units: 80% / 80 percent; 500 bytes, KB MB GB TB (powers of 1000), KiB MiB GiB TiB (of 1024);
 * 500 ms, 2 s. Comparisons: below, under, less than, at most, above, over, more than, at least,
 * exceeds. Not read, so UNVERIFIABLE: questions, hedges ("I think", "probably"), the past ("was
 * running yesterday"), and a claim that opens with a condition ("If nginx runs, port 80 is open").
 *
 * ## Safety rules
 *
 * TRUE only when every part was looked at and held. FALSE when any look saw a part not hold
 * (whatever the others). Otherwise UNVERIFIABLE, with the reason: a part no kind reads ("no check
 * for 'tests pass'"), "it" with nothing before it, a path outside `governance.verify.paths` and
 * `agent.data_dir` (judged on the real path: no symlink or ".." leads out), a host not in
 * `governance.verify.hosts`, a URL with credentials, a file past 8 MiB whose text was not found in
 * what was read, a timeout. A word for an activity ("the tests are running") is never taken for a
 * process name. Everything only reads: /proc, statfs, stat and bounded reads, one TCP connect, one
 * GET (1 MiB body), the agent's own views; nothing a claim names is run. The claim's time
 * (`governance.verify.timeout`, 5 s) bounds every look; at most 2,000 characters and 10 parts.
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
  const normalized = normalize(claim);
  // "If nginx runs, port 80 is open" states no fact: its second half alone would be judged.
  const condition = /^(if|when|whenever|once|unless|in case|assuming|provided|as soon as)\b/i.exec(
    normalized,
  );
  if (condition) {
    const why = `a claim that starts with '${condition[1]}' states a condition, not a fact to check`;
    return verdictOf(claim, [{ part: claim, unverifiable: why }]);
  }
  const parts = splitParts(normalized);
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
  /** The previous part as read, without its last word: "Saved /a" lends "Saved " to "/b". */
  let lead: string | undefined;
  return parts.map((part) => {
    let text = part;
    if (/^it\b/i.test(text)) {
      if (subject === undefined) return { part, unverifiable: `'it' in '${part}' names nothing before it` };
      text = subject + text.slice(2);
    }
    // "… and is listening on 8080": the subject before it is who listens, tried first.
    let found =
      subject !== undefined && continues.test(text) ? offer(`${subject} ${text}`, known) : undefined;
    found ??= offer(text, known);
    // "Saved /srv/a and /srv/b", "I started nginx and postgres": a bare object takes the verb before it.
    if (!found && lead !== undefined && bareObject.test(text)) found = offer(lead + text, known);
    if (!found) {
      lead = undefined;
      return { part, unverifiable: `no check for '${part}'` };
    }
    const [kind, parsed, read] = found;
    subject = parsed.subject ?? subject;
    // What a bare next part completes: the part before without its last word ("Saved /a" → "Saved ",
    // "api is up" → "api is "), so "and /b", "and healthy" read as whole parts; they must still parse.
    lead = read.includes(" ") ? read.slice(0, read.lastIndexOf(" ") + 1) : undefined;
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
