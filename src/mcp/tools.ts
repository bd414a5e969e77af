/**
 * The tools an AI assistant is given. Each calls the same in-process API the HTTP routes call, as
 * the caller, so roles, risk tiers, approvals and audit are the API's. There is deliberately no tool
 * that approves, rejects, pauses or resumes, silences, or changes config, and no argument that
 * names a requester or claims an approval: who asks is the token's name.
 */
import { VigilError } from "../core/errors.ts";
import type { Principal } from "../api/auth.ts";
import type { ApiDeps } from "../api/context.ts";
import { maxClaimChars } from "../governance/claims/index.ts";
import { maxInstructionBytes } from "../governance/instructions.ts";
import { hideCredentialLines } from "./credentials.ts";
import { argsOf, bool, int, oneOf, params, str, type Arg, type ArgsOf } from "./args.ts";

/** A tool as the MCP server lists and calls it. */
export interface Tool {
  name: string;
  description: string;
  inputSchema: ReturnType<typeof argsOf>["inputSchema"];
  /** Whether it only reads: what clients show before asking their user. */
  readOnly: boolean;
  /** Checks the arguments (throws VALIDATION_FAILED naming the field) and starts the call. */
  run(input: unknown, deps: ApiDeps, by: Principal): ToolCall;
}

export interface ToolCall {
  /** What the call is about (a target, an action, an id): the audit entry's subject. */
  subject: string;
  /** Settles with the answer; rejects with a VigilError for a refusal. */
  result: Promise<Record<string, unknown>>;
}

interface ToolSpec<S extends Record<string, Arg<unknown>>> {
  name: string;
  description: string;
  args: S;
  readOnly: boolean;
  /** What a call is about, from its checked arguments; the tool's name when omitted. */
  about?: (a: ArgsOf<S>) => string | undefined;
  run(a: ArgsOf<S>, deps: ApiDeps, by: Principal): Promise<Record<string, unknown>>;
}

function tool<S extends Record<string, Arg<unknown>>>(spec: ToolSpec<S>): Tool {
  const { inputSchema, check } = argsOf(spec.args);
  return {
    name: spec.name,
    description: spec.description,
    inputSchema,
    readOnly: spec.readOnly,
    run: (input, deps, by) => {
      const checked = check(input ?? {});
      if ("problems" in checked) {
        const first = checked.problems[0]!;
        const where = first.path === "body" ? "arguments" : first.path;
        throw new VigilError("VALIDATION_FAILED", `${spec.name}: ${where}: ${first.message}`, {
          details: checked.problems,
        });
      }
      return {
        subject: spec.about?.(checked.value) ?? spec.name,
        result: spec.run(checked.value, deps, by),
      };
    },
  };
}

const name = (what: string) => str(what, { min: 1, max: 200 });
const id = (what: string) => str(what, { min: 1, max: 100 });
const iso = (ms: number) => new Date(ms).toISOString();
/** One line of a log at most this long: 500 lines stay under half a megabyte. */
const maxLineChars = 1_000;

const getStatus = tool({
  name: "get_status",
  description:
    "The agent's state (mode, kill switch) and every service and check with its state, since when, last result and open incident; or one target by name.",
  args: { target: str("one service's or check's name; omit for all", { min: 1, max: 200, optional: true }) },
  readOnly: true,
  about: (a) => a.target,
  run: async ({ target }, deps) => {
    if (target !== undefined) {
      const t = deps.targets.get(target);
      if (!t)
        throw new VigilError(
          "NOT_FOUND",
          `no target named "${target}"; get_status without a target lists them`,
        );
      return { target: t };
    }
    const h = await deps.health();
    const agent = { status: h.status, version: h.version, mode: h.mode, paused: h.paused };
    return { agent, pause: deps.guard.pauseState(), targets: deps.targets.list() };
  },
});

const listIncidents = tool({
  name: "list_incidents",
  description: "Incidents, newest first: open ones by default, resolved ones, or all.",
  args: {
    status: oneOf("open (default), resolved or all", ["open", "resolved", "all"] as const, {
      optional: true,
    }),
    limit: int("how many at most", { min: 1, max: 200, fallback: 50 }),
  },
  readOnly: true,
  run: async ({ status, limit }, deps) => ({
    incidents: await deps.guard.incidents(status === "all" ? undefined : (status ?? "open"), limit),
  }),
});

const getIncident = tool({
  name: "get_incident",
  description: "One incident with its remediation attempts and timeline.",
  args: { id: id("the incident's id, from list_incidents") },
  readOnly: true,
  about: (a) => a.id,
  run: async ({ id }, deps) => {
    const incident = await deps.guard.incident(id);
    if (!incident) throw new VigilError("NOT_FOUND", `no incident with id "${id}"`);
    return { incident };
  },
});

const getLogs = tool({
  name: "get_logs",
  description: `A service's newest lines of output (at most 500), with every configured secret and anything shaped like a credential (password=…, Bearer …, a URL's password, a private key) replaced by [REDACTED], and each line cut at ${maxLineChars} characters.`,
  args: {
    service: name("the service's name"),
    lines: int("how many of the newest lines", { min: 1, max: 500, fallback: 100 }),
  },
  readOnly: true,
  about: (a) => a.service,
  run: async ({ service, lines }, deps) => {
    const read = await deps.targets.logs(service, lines);
    if (!read)
      throw new VigilError("NOT_FOUND", `no service named "${service}"; logs are kept for services only`);
    const cut = (l: string) => (l.length > maxLineChars ? `${l.slice(0, maxLineChars)}…` : l);
    // Redacted whole, then cut: a secret across the cut is never left half shown.
    const redacted = hideCredentialLines(read.slice(-lines).map((l) => deps.mcp.redact(l)));
    return { service, lines: redacted.map(cut) };
  },
});

const listActions = tool({
  name: "list_actions",
  description:
    "The actions this agent may run (nothing else can run): each with its risk (auto, notify, approve, deny), parameters, and whether an assistant's request runs without a person (agent_auto).",
  args: {},
  readOnly: true,
  run: async (_a, deps) => ({ actions: deps.actions.list() }),
});

const proposeAction = tool({
  name: "propose_action",
  description:
    "Asks for one of list_actions' actions to run. Risk tiers apply: unless the action says agent_auto, the request waits for a person to approve it, and the answer gives the approval id; follow it with get_action_result. Nothing here can approve.",
  args: {
    action: name("the action's name, from list_actions"),
    params: params("the action's parameters, as list_actions declares them", {
      maxKeys: 50,
      maxValue: 2_000,
    }),
    reason: str("why: shown to the person who decides, and kept in the audit log", { min: 1, max: 2_000 }),
    target: str("the service or check it acts on, for a built-in action", {
      min: 1,
      max: 200,
      optional: true,
    }),
    dry_run: bool("check everything and run nothing", false),
  },
  readOnly: false,
  about: (a) => a.action,
  run: async (a, deps, by) => {
    const outcome = await deps.actions.request(
      a.action,
      { params: a.params, reason: a.reason, target: a.target, dryRun: a.dry_run },
      by,
    );
    if (outcome.kind === "ran") {
      const { run } = outcome;
      return {
        outcome: "ran",
        run_id: run.id,
        status: run.status,
        run,
        next: `it ran without waiting (its risk and agent_auto allow that); get_action_result with run_id "${run.id}" reads it again`,
      };
    }
    const ap = outcome.approval;
    const who = ap.required === 1 ? "a person approves" : `${ap.required} people approve`;
    return {
      outcome: "waiting_for_approval",
      approval_id: ap.id,
      status: ap.status,
      required: ap.required,
      expires_at: iso(ap.expires_at),
      next:
        `nothing runs until ${who} it (vigil approve ${ap.id}, the dashboard, or a chat channel); ` +
        `unapproved, it expires at ${iso(ap.expires_at)}. get_action_result with approval_id "${ap.id}" ` +
        "tells its status and, once it ran, the result",
    };
  },
});

const getActionResult = tool({
  name: "get_action_result",
  description:
    "A run's status and result by run_id; or by approval_id, the approval's status and decisions and, once approved, the run it started.",
  args: {
    run_id: str("the run's id, from propose_action", { min: 1, max: 100, optional: true }),
    approval_id: str("the approval's id, from propose_action", { min: 1, max: 100, optional: true }),
  },
  readOnly: true,
  about: (a) => a.run_id ?? a.approval_id,
  run: async ({ run_id, approval_id }, deps) => {
    if ((run_id === undefined) === (approval_id === undefined)) {
      throw new VigilError("VALIDATION_FAILED", "get_action_result: give run_id or approval_id, one of them");
    }
    if (run_id !== undefined) {
      const run = await deps.actions.getRun(run_id);
      if (!run) throw new VigilError("NOT_FOUND", `no action run with id "${run_id}"`);
      return { run };
    }
    const approval = await deps.approvals.get(approval_id!);
    if (!approval) throw new VigilError("NOT_FOUND", `no approval request with id "${approval_id}"`);
    const run = approval.run_id === null ? null : ((await deps.actions.getRun(approval.run_id)) ?? null);
    const next =
      approval.status === "pending"
        ? "still waiting for a person; ask again later"
        : approval.status !== "approved"
          ? `${approval.status}: it will not run`
          : run?.finished_at
            ? "approved and finished: the run holds the result"
            : "approved; the run is starting or running: ask again for its result";
    return { approval, run, next };
  },
});

const verifyClaim = tool({
  name: "verify_claim",
  description:
    'Checks a claim about this machine against what is observed, reading only: "Process postgres is running", "Port 8080 is listening", "Saved the report to /srv/out/report.txt", "api is healthy and returns 200 on /health", "Disk usage of / is below 80%". Answers TRUE only when every part was observed to hold, FALSE with the evidence, or UNVERIFIABLE with the reason. Every verdict is audited; a FALSE one is notified.',
  args: {
    claim: str("one claim as written, parts joined by and or commas", {
      min: 1,
      max: maxClaimChars,
      valid: (s) => s.trim() !== "",
    }),
  },
  readOnly: true,
  run: async ({ claim }, deps, by) => ({
    ...(await deps.governance.verifier.verify(claim, { by: by.name, source: "mcp" })),
  }),
});

const checkInstruction = tool({
  name: "check_instruction",
  description:
    "Checks a work order before work starts: every required section (governance.instruction_sections; by default DELIVERABLES, SUCCESS_CRITERIA, BOUNDARIES, DEPENDENCIES, MITIGATION, TEST_PROCESS, TEST_RESULTS_FORMAT, RESOURCE_REQUIREMENTS, RISK_ASSESSMENT, QUALITY_METRICS) present and not empty, as Markdown headings, KEY: lines or YAML/JSON keys. Answers {ok, missing, empty, sections}.",
  args: {
    instruction: str("the work order's whole text", { min: 1, max: maxInstructionBytes }),
  },
  readOnly: true,
  run: async ({ instruction }, deps, by) => ({ ...(await deps.governance.check(instruction, by)) }),
});

/** Every tool, in the order clients list them. */
export const tools: readonly Tool[] = [
  getStatus,
  listIncidents,
  getIncident,
  getLogs,
  listActions,
  proposeAction,
  getActionResult,
  verifyClaim,
  checkInstruction,
];
