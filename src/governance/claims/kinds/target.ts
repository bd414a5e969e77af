/**
 * `target`: one of this agent's services or checks is up, healthy, running, down or stopped, as
 * the supervision sees it now. "Service api is healthy", "api is up", "the worker check is
 * failing", "I restarted api". Only names the agent has are taken; "Service x is healthy" for a
 * name it does not have is UNVERIFIABLE, never a guess at some process.
 */
import type { TargetView } from "../../../targets/targets.ts";
import { defineKind, notSeen, seen, type Parsed } from "../kind.ts";
import { TARGET, WHO, whole } from "../words.ts";

type Want = "up" | "unhealthy" | "down" | "running" | "stopped";
interface TargetClaim {
  name: string;
  want: Want;
}

const words: Record<string, Want> = {};
const said: [Want, string][] = [
  ["up", "up|healthy|ok|fine|green|passing|working|online|available|back up|recovered|in good health"],
  ["up", "not failing|no longer failing|no longer down|not down"],
  [
    "unhealthy",
    "unhealthy|failing|broken|degraded|not healthy|not ok|not up|not working|not passing|erroring",
  ],
  ["down", "down|offline|failed|dead|unavailable|not available|gone down"],
  ["running", "running|started|alive|restarted|active"],
  ["stopped", "stopped|not running|no longer running|shut down|halted"],
];
for (const [want, list] of said) for (const w of list.split("|")) words[w] = want;
const STATE = `(${Object.keys(words)
  .sort((a, b) => b.length - a.length)
  .join("|")})`;
/** "health check db-ping", "the HTTP check web": a check's kind before the word does not change whose. */
const NOUN = String.raw`(?:(?:(?:health|http|tcp|liveness|readiness) (?=check ))?(service|check|target|container) )?`;
const TAIL = String.raw`(?: (service|check|target|container))?`;

const shapes: { re: RegExp; want: (m: RegExpExecArray) => Want | undefined }[] = [
  {
    re: whole(String.raw`(?:the )?${NOUN}${TARGET}${TAIL} (?:is|are|has|has been|was) ${STATE}`),
    want: (m) => words[m[4]!.toLowerCase()],
  },
  {
    re: whole(
      String.raw`(?:the )?${NOUN}${TARGET}${TAIL} (?:isn't|is not|is no longer|aren't|are not) (up|healthy|running|down|ok|working|available|failing|passing)`,
    ),
    want: (m) => negate(words[m[4]!.toLowerCase()]),
  },
  {
    re: whole(String.raw`(?:the )?${NOUN}${TARGET}${TAIL} (recovered|runs|works|passes|fails|is failing)`),
    want: (m) =>
      ({
        recovered: "up",
        runs: "running",
        works: "up",
        passes: "up",
        fails: "unhealthy",
        "is failing": "unhealthy",
      })[m[4]!.toLowerCase()] as Want,
  },
  {
    re: whole(
      String.raw`${WHO}(?:started|restarted|brought up|recovered)(?: the)? ${NOUN}${TARGET}${TAIL}(?: again)?`,
    ),
    want: () => "running",
  },
  {
    re: whole(String.raw`${WHO}(?:stopped|shut down)(?: the)? ${NOUN}${TARGET}${TAIL}`),
    want: () => "stopped",
  },
  {
    re: whole(
      String.raw`(?:vigil|the agent|the dashboard|vigil status) (?:reports|shows|lists|says|has) (?:the )?${NOUN}${TARGET}${TAIL} (?:as|is) ${STATE}`,
    ),
    want: (m) => words[m[4]!.toLowerCase()],
  },
];

/** The target a name means: exactly, or the one target whose name differs only in case ("the API"). */
function targetNamed(name: string, targets: ReadonlySet<string>): string | undefined {
  if (targets.has(name)) return name;
  const like = [...targets].filter((t) => t.toLowerCase() === name.toLowerCase());
  return like.length === 1 ? like[0] : undefined;
}

function negate(w: Want | undefined): Want | undefined {
  if (w === "up") return "unhealthy";
  if (w === "running") return "stopped";
  if (w === "down") return "up";
  // "isn't failing" is "not failing", which `said` reads as up.
  if (w === "unhealthy") return "up";
  return undefined;
}

export default defineKind<TargetClaim>({
  type: "target",
  description: "One of this agent's services or checks is up, healthy, running, down or stopped.",
  rank: 10,
  examples: [
    "Service api is healthy",
    "api is up",
    "the api service is running",
    "I restarted api",
    "check disk is failing",
    "api is not healthy",
    "Service api: healthy",
    "Health check disk is failing",
    "disk isn't failing",
  ],
  refuses: ["the api tests are passing", "everything is up", "api docs are up"],
  parse(part, known): Parsed<TargetClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      const name = m[2]!;
      const noun = m[1]?.toLowerCase() ?? m[3]?.toLowerCase();
      const want = s.want(m);
      // "container web": the container kind's, which asks the engine when no check reads it.
      if (want === undefined || noun === "container" || m[3]?.toLowerCase() === "container") continue;
      const own = targetNamed(name, known.targets);
      if (own !== undefined) return { claim: { name: own, want }, subject: own };
      // An explicit "service x" or "check x" this agent does not have: not a process to guess at,
      // except running / stopped of a service, which the process kind reads by name.
      if (
        noun === "check" ||
        noun === "target" ||
        (noun === "service" && (want === "up" || want === "unhealthy" || want === "down"))
      )
        return { unverifiable: `this agent has no service or check named ${name}`, subject: name };
    }
    return undefined;
  },
  async observe({ name, want }, sources, signal) {
    const t = sources.targets().find((x) => x.name === name);
    const what = `${t?.kind ?? "target"} ${name}`;
    const expected = want === "unhealthy" ? "not healthy" : want;
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    if (!t) return [notSeen(what, expected, "no longer one of this agent's targets")];
    const state = effective(t);
    const observed = `${t.state}${t.state !== state ? ` (last result ${state})` : ""}${t.pid ? `, pid ${t.pid}` : ""}${t.last_result ? `: ${t.last_result.explanation.slice(0, 120)}` : ""}`;
    // A check's first failures leave it unknown until fail_after of them: its state is not decided yet.
    if (state === "unknown")
      return [notSeen(what, expected, `${observed}: ${t.last_result ? "not decided yet" : "no result yet"}`)];
    return [seen(what, expected, observed, holds(t, state, want))];
  },
});

/** What a silenced or paused target's last result says; its own state otherwise. */
function effective(t: TargetView): string {
  if (t.state !== "silenced" && t.state !== "paused") return t.state;
  return t.last_result ? (t.last_result.ok ? "up" : "down") : "unknown";
}

function holds(t: TargetView, state: string, want: Want): boolean {
  const running =
    t.kind === "service" ? t.pid !== undefined && !["stopped", "failed"].includes(state) : state === "up";
  switch (want) {
    case "up":
      return state === "up";
    case "unhealthy":
      return ["down", "failed", "degraded", "flapping"].includes(state);
    case "down":
      return ["down", "failed", "stopped"].includes(state);
    case "running":
      return running;
    case "stopped":
      return !running;
  }
}
