/**
 * `run`: an action run, a scheduled job or a backup succeeded (or failed). "action run <id>
 * succeeded", "the last run of reindex succeeded", "job nightly ran successfully", "the backup
 * backup-db succeeded" (its newest dump is good: restored and verified, made in the last 24 h).
 * Only this agent's actions, jobs and backups; another name is UNVERIFIABLE.
 */
import type { RunView } from "../../../gateway/types.ts";
import { defineKind, notSeen, seen, type Observation, type Parsed } from "../kind.ts";
import type { ClaimSources } from "../sources.ts";
import { NAME, WHO, whole } from "../words.ts";

type RunClaim =
  | { of: "run"; id: string; ok: boolean }
  | { of: "action"; name: string; ok: boolean }
  | { of: "job"; name: string; ok: boolean }
  | { of: "backup"; name: string };

/** "The backup succeeded" is about a recent one: last week's good dump is not it. */
export const backupWithinMs = 24 * 60 * 60 * 1000;
/** How far back the newest run of an action is looked for. */
const runsLooked = 500;

const GOOD = String.raw`(?:(?:ran|completed|finished|succeeded) (?:without (?:any )?errors|cleanly|fine|ok)|succeeded|has succeeded|was successful|is successful|completed|has completed|completed successfully|finished|finished successfully|ran|has run|ran successfully|passed|is done|is complete|is finished|was completed|was executed|has been executed|was run|has been run|went through|worked|is green|ok)`;
const BAD = String.raw`(?:failed|has failed|did not succeed|didn't succeed|was unsuccessful|errored|broke)`;
const ID = String.raw`([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9a-f]{8,64})`;
const OUTCOME = String.raw`(${GOOD}|${BAD})`;
const ok = (word: string) => !new RegExp(`^${BAD}$`, "i").test(word);

/**
 * `named`: whether the claim itself says it is an action ("action x", "the last run of action x"):
 * then a name this agent does not have is FALSE (its actions are the allowlist: nothing else ran
 * through it); said without the word, such a name is not this kind's.
 */
type Shape = { re: RegExp; make: (m: RegExpExecArray) => RunClaim; named?: boolean };
const shapes: Shape[] = [
  {
    re: whole(String.raw`(?:the )?(?:action )?run ${ID} ${OUTCOME}`),
    make: (m) => ({ of: "run", id: m[1]!, ok: ok(m[2]!) }),
  },
  {
    re: whole(
      String.raw`(?:the )?(?:last|latest|most recent|newest) run of (?:the )?action ${NAME} ${OUTCOME}`,
    ),
    make: (m) => ({ of: "action", name: m[1]!, ok: ok(m[2]!) }),
    named: true,
  },
  {
    re: whole(String.raw`(?:the )?(?:last|latest|most recent|newest) run of (?:the )?${NAME} ${OUTCOME}`),
    make: (m) => ({ of: "action", name: m[1]!, ok: ok(m[2]!) }),
  },
  {
    re: whole(String.raw`(?:the )?action ${NAME} ${OUTCOME}`),
    make: (m) => ({ of: "action", name: m[1]!, ok: ok(m[2]!) }),
    named: true,
  },
  {
    re: whole(String.raw`(?:the )?${NAME} action ${OUTCOME}`),
    make: (m) => ({ of: "action", name: m[1]!, ok: ok(m[2]!) }),
    named: true,
  },
  {
    re: whole(String.raw`${WHO}ran (?:the )?action ${NAME}(?: successfully)?`),
    make: (m) => ({ of: "action", name: m[1]!, ok: true }),
    named: true,
  },
  {
    re: whole(String.raw`${WHO}ran (?:the )?${NAME}(?: action)?(?: successfully)?`),
    make: (m) => ({ of: "action", name: m[1]!, ok: true }),
  },
  {
    re: whole(String.raw`(?:the )?(?:scheduled |cron )?job ${NAME} ${OUTCOME}`),
    make: (m) => ({ of: "job", name: m[1]!, ok: ok(m[2]!) }),
  },
  {
    re: whole(String.raw`(?:the )?(?:last run of (?:the )?)?${NAME} (?:scheduled |cron )?job ${OUTCOME}`),
    make: (m) => ({ of: "job", name: m[1]!, ok: ok(m[2]!) }),
  },
  {
    re: whole(String.raw`(?:the )?(?:last |latest |newest )?backup ${NAME} ${GOOD}`),
    make: (m) => ({ of: "backup", name: m[1]! }),
  },
  {
    re: whole(String.raw`(?:the )?(?:last |latest |newest )?${NAME} backup ${GOOD}`),
    make: (m) => ({ of: "backup", name: m[1]! }),
  },
  {
    re: whole(
      String.raw`(?:the )?(?:last |latest |newest )?backup (?:by|of|from) (?:the )?(?:action )?${NAME} ${GOOD}`,
    ),
    make: (m) => ({ of: "backup", name: m[1]! }),
  },
  // "rotate-logs failed": only for a name that is this agent's action or job (checked in parse).
  {
    re: whole(String.raw`(?:the )?${NAME} ${OUTCOME}`),
    make: (m) => ({ of: "action", name: m[1]!, ok: ok(m[2]!) }),
  },
];

export default defineKind<RunClaim>({
  type: "run",
  description: "An action run, a scheduled job or a backup of this agent succeeded (or failed).",
  rank: 20,
  examples: [
    "action run 3f2c9a1e-8b7d-4c6e-9f00-1a2b3c4d5e6f succeeded",
    "the last run of reindex succeeded",
    "job nightly ran successfully",
    "the nightly job failed",
    "the backup backup-db succeeded",
    "I ran the action reindex",
  ],
  refuses: [
    "the build ran successfully",
    "the migration succeeded",
    "the tests passed",
    "backup succeeded",
    "I ran the tests",
    "deploy succeeded",
  ],
  parse(part, known): Parsed<RunClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      let claim = s.make(m);
      if (claim.of === "action" && !s.named && !known.actions.has(claim.name)) {
        // Without the word "action": a job of that name, or not this kind's at all.
        if (known.jobs.has(claim.name) && "ok" in claim)
          claim = { of: "job", name: claim.name, ok: claim.ok };
        else continue;
      }
      const subject = "name" in claim ? claim.name : undefined;
      if (claim.of === "job" && !known.jobs.has(claim.name))
        return { unverifiable: `this agent has no job named ${claim.name}` };
      // "the nightly backup ran": the job of that name, when there is one.
      if (claim.of === "backup" && !known.actions.has(claim.name) && known.jobs.has(claim.name))
        return { claim: { of: "job", name: claim.name, ok: true }, subject: claim.name };
      if (claim.of === "backup" && !known.actions.has(claim.name))
        return { unverifiable: `this agent has no action named ${claim.name}` };
      return { claim, ...(subject === undefined ? {} : { subject }) };
    }
    return undefined;
  },
  async observe(claim, sources, signal) {
    if (signal.aborted) return [notSeen(claim.of, "an outcome", "not looked at: the claim's time ran out")];
    switch (claim.of) {
      case "run": {
        const run = await sources.getRun(claim.id);
        return [judgeRun(`action run ${claim.id}`, claim.ok, run)];
      }
      case "action": {
        const what = `the newest run of ${claim.name}`;
        if (!sources.actionNames().includes(claim.name))
          return [
            seen(
              what,
              claim.ok ? "succeeded" : "failed",
              `this agent has no action named ${claim.name}, so none ran`,
              false,
            ),
          ];
        const run = (await sources.runs(runsLooked)).find((r) => r.action === claim.name);
        return [judgeRun(what, claim.ok, run)];
      }
      case "job":
        return [judgeJob(claim.name, claim.ok, sources)];
      case "backup":
        return [await judgeBackup(claim.name, sources)];
    }
  },
});

function judgeRun(what: string, wantOk: boolean, run: RunView | undefined): Observation {
  const expected = wantOk ? "succeeded" : "failed";
  if (!run) return seen(what, expected, "no such run", false);
  const observed = `${run.status}${run.result?.exit_code != null ? ` (exit code ${run.result.exit_code})` : ""}, started ${new Date(run.started_at).toISOString()}`;
  if (run.status === "running") return seen(what, expected, `${observed}: not finished`, false);
  return seen(what, expected, observed, (run.status === "succeeded") === wantOk);
}

function judgeJob(name: string, wantOk: boolean, sources: ClaimSources): Observation {
  const what = `job ${name}`;
  const expected = wantOk ? "its last run succeeded" : "its last run failed";
  const job = sources.jobs().find((j) => j.name === name);
  if (!job) return notSeen(what, expected, "no longer one of this agent's jobs");
  const last = job.last_result;
  if (last === null) return seen(what, expected, "it never ran", false);
  if (last === "running" || last === "waiting")
    return notSeen(what, expected, `a run is ${last === "waiting" ? "waiting for approval" : "in progress"}`);
  const observed = `${last}${job.last_finished ? ` at ${new Date(job.last_finished).toISOString()}` : ""}${job.last_detail ? `: ${job.last_detail.slice(0, 120)}` : ""}`;
  return seen(what, expected, observed, (last === "succeeded") === wantOk);
}

async function judgeBackup(name: string, sources: ClaimSources): Promise<Observation> {
  const what = `backup ${name}`;
  const expected = `a good dump (restored and verified) from the last ${backupWithinMs / 3_600_000} h`;
  let views;
  try {
    views = await sources.backups(name);
  } catch (e) {
    return notSeen(
      what,
      expected,
      `${name} is no backup action: ${String((e as Error).message ?? e).slice(0, 120)}`,
    );
  }
  const newest = views.find((v) => v.action === name)?.backups[0];
  if (!newest) return seen(what, expected, "no backup yet", false);
  const age = sources.now() - newest.created_at;
  const observed = `${newest.file}, ${Math.round(age / 60_000)} min old: ${newest.good ? "good" : `not good (${newest.problem ?? "unverified"})`}`;
  return seen(what, expected, observed, newest.good && age < backupWithinMs);
}
