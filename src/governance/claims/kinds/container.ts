/**
 * `container`: a container runs, is healthy, or is stopped. "container web is running", "the db
 * container is healthy". A container one of this agent's checks reads is judged by that check's
 * state; any other is asked of the engine at `agent.docker.host`; with no engine configured it is
 * UNVERIFIABLE.
 */
import { isEngineError } from "../../../containers/engine.ts";
import { defineKind, notSeen, seen, type Observation, type Parsed } from "../kind.ts";
import type { ClaimSources } from "../sources.ts";
import { WHO, whole } from "../words.ts";

type Want = "running" | "healthy" | "stopped";
interface ContainerClaim {
  name: string;
  want: Want;
}

const NAME = String.raw`([A-Za-z0-9][\w.-]{0,127}(?:\/[\w.-]{1,127})?)`;
const STATE: Record<string, Want> = {
  running: "running",
  up: "running",
  started: "running",
  restarted: "running",
  healthy: "healthy",
  stopped: "stopped",
  exited: "stopped",
  down: "stopped",
  "not running": "stopped",
  "no longer running": "stopped",
};
const WORD = `(${Object.keys(STATE)
  .sort((a, b) => b.length - a.length)
  .join("|")})`;
const DOCKER = String.raw`(?:docker |podman )?`;

const shapes: { re: RegExp; want: (m: RegExpExecArray) => Want | undefined }[] = [
  {
    re: whole(String.raw`(?:the )?${DOCKER}container ${NAME} (?:is|are|has|was|has been|was just) ${WORD}`),
    want: (m) => STATE[m[2]!.toLowerCase()],
  },
  {
    re: whole(String.raw`(?:the )?${NAME} ${DOCKER}container (?:is|are|has|was|has been|was just) ${WORD}`),
    want: (m) => STATE[m[2]!.toLowerCase()],
  },
  {
    re: whole(String.raw`(?:the )?${DOCKER}container ${NAME} (?:isn't|is not) (running|up|healthy)`),
    want: () => "stopped",
  },
  {
    re: whole(String.raw`${WHO}(?:started|restarted)(?: the)? ${DOCKER}container ${NAME}`),
    want: () => "running",
  },
  {
    re: whole(String.raw`${WHO}(?:started|restarted)(?: the)? ${NAME} ${DOCKER}container`),
    want: () => "running",
  },
  { re: whole(String.raw`${WHO}stopped(?: the)? ${DOCKER}container ${NAME}`), want: () => "stopped" },
];

export default defineKind<ContainerClaim>({
  type: "container",
  description: "A container runs, is healthy or is stopped: by a check that reads it, else the engine.",
  rank: 9,
  examples: [
    "container web is running",
    "the db container is healthy",
    "I restarted the container cache",
    "container old-api is stopped",
  ],
  refuses: ["the container image is built", "containers are running", "container is running"],
  parse(part): Parsed<ContainerClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      const want = s.want(m);
      if (want === undefined || /^(?:is|are|it|the)$/i.test(m[1]!)) continue;
      return { claim: { name: m[1]!, want }, subject: m[1]! };
    }
    return undefined;
  },
  async observe(claim, sources, signal) {
    const what = `container ${claim.name}`;
    const expected = claim.want;
    if (signal.aborted) return [notSeen(what, expected, "not looked at: the claim's time ran out")];
    const checked = sources.targets().find((t) => t.name === claim.name && sources.readsContainer(t.name));
    if (checked) {
      const state = checked.state;
      if (state === "unknown" || state === "silenced" || state === "paused")
        return [notSeen(`check ${claim.name}`, expected, `${state}: no current result`)];
      const up = state === "up";
      const ok = claim.want === "stopped" ? ["down", "failed", "stopped"].includes(state) : up;
      return [
        seen(
          `check ${claim.name}`,
          expected,
          `${state}${checked.last_result ? `: ${checked.last_result.explanation.slice(0, 120)}` : ""}`,
          ok,
        ),
      ];
    }
    return [await askEngine(claim, sources, signal)];
  },
});

async function askEngine(
  { name, want }: ContainerClaim,
  sources: ClaimSources,
  signal: AbortSignal,
): Promise<Observation> {
  const what = `container ${name}`;
  const engine = sources.engine();
  if (!engine)
    return notSeen(what, want, "no check reads it and no container engine is configured (agent.docker.host)");
  try {
    const info = await engine.inspect(name, { signal });
    const observed = `${info.status}${info.health ? `, ${info.health}` : ""}`;
    if (want === "running") return seen(what, want, observed, info.running);
    if (want === "stopped") return seen(what, want, observed, !info.running);
    if (!info.running) return seen(what, want, observed, false);
    if (!info.health)
      return notSeen(what, want, `${observed}; it has no health check, so healthy is not known`);
    return seen(what, want, observed, info.health === "healthy");
  } catch (e) {
    if (isEngineError(e, "not_found")) return seen(what, want, "no such container", want === "stopped");
    if (signal.aborted) return notSeen(what, want, "no answer before the claim's time ran out");
    return notSeen(what, want, isEngineError(e) ? e.message : String(e));
  }
}
