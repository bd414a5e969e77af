/**
 * Wires the gateway and the approval queue: one store, one capability key, the supervisor for the
 * built-in service actions. What the API sees of them is `ActionsApi` and `ApprovalsApi`.
 */
import path from "node:path";
import type { Principal } from "../api/auth.ts";
import type { ActionInfo, ActionsApi } from "../api/context.ts";
import { Approvals } from "../approvals/approvals.ts";
import { backupRow, type BackupsView, listBackups } from "../backups/manifest.ts";
import { VigilError } from "../core/errors.ts";
import type { Redactor } from "../core/redact.ts";
import type { VigilConfig } from "../config/schema.ts";
import { builtinActions } from "../gateway/builtins.ts";
import { kindOf } from "../gateway/kinds/index.ts";
import { Capabilities } from "../gateway/capability.ts";
import { Gateway } from "../gateway/gateway.ts";
import { ActionStore } from "../store/action-store.ts";
import { backupTarget } from "./specs.ts";
import type { Supervision } from "./supervision.ts";
import type { Wiring } from "./wiring.ts";

export interface ActionsWiring extends Wiring {
  redactor: Redactor;
  supervision: Supervision;
  configFile: string;
}

export async function wireActions(
  w: ActionsWiring,
): Promise<{ actions: ActionsApi; approvals: Approvals; gateway: Gateway }> {
  const store = new ActionStore(w.store.db, w.config().agent.name);
  const capabilities = Capabilities.open(w.config().agent.data_dir, () => w.clock.now());
  const gateway = new Gateway({
    actions: () => w.config().actions,
    services: {
      isService: (name) => w.supervision.get(name)?.kind === "service",
      isTarget: (name) => w.supervision.get(name) !== undefined,
      readsContainer: (name) => w.supervision.readsContainer(name),
      act: (name, action, by) => w.supervision.act(name, action, { name: by, role: "operator" }),
      largest: () => w.supervision.services.largestService(),
      freePort: (name, by) => w.supervision.freePort(name, by),
      longerStart: (name, by) => w.supervision.services.longerStart(name, by),
    },
    store,
    capabilities,
    bus: w.bus,
    redactor: w.redactor,
    clock: w.clock,
    log: w.log.child({ component: "gateway" }),
    defaultCwd: path.dirname(path.resolve(w.configFile)),
    // A scheduled job's own timeout holds for its runs, approved ones included.
    runTimeout: (by) => (by.startsWith("job:") ? w.config().jobs[by.slice(4)]?.timeout : undefined),
  });
  const abandoned = await gateway.recoverAbandoned();
  if (abandoned > 0)
    w.log.warn(
      { runs: abandoned },
      "action runs left unfinished by the previous agent: their processes stopped, the runs marked failed (see action.interrupted)",
    );
  w.lifecycle.defer("gateway", () => gateway.drain());

  const approvals = new Approvals({
    store,
    bus: w.bus,
    clock: w.clock,
    log: w.log.child({ component: "approvals" }),
    capabilities,
    redactor: w.redactor,
    ttlMs: () => w.config().remediation.approval_ttl,
    onApproved: (approval, token, by, runId) => gateway.startApproved(approval, token, by, runId),
    recentEvents: (limit) => w.store.readEvents({ limit, newest: true }),
  });
  gateway.approvals = approvals;
  await approvals.announceLeftovers();
  await approvals.runQueued();
  // A fleet's agents take the requests approved on another agent within a second; one agent on
  // SQLite decides and runs its own, and only sweeps.
  approvals.start(w.store.db.dialect === "postgres" ? 1_000 : undefined);
  w.lifecycle.defer("approvals", () => approvals.stop());

  const actions: ActionsApi = {
    list: () => listActions(w.config()),
    request: (name, req, by: Principal) => gateway.request(name, req, by),
    getRun: (id) => gateway.getRun(id),
    runs: (limit) => gateway.listRuns(limit),
    backups: (action) => listBackupActions(w.config(), action),
  };
  return { actions, approvals, gateway };
}

/** `vigil backups [action]`: read from each backup action's folder, so it shows what is on disk now. */
async function listBackupActions(config: VigilConfig, only: string | undefined): Promise<BackupsView[]> {
  const backups = Object.entries(config.actions).flatMap(([name, a]) => {
    const { type, settings } = kindOf(a);
    return type === "backup" ? [{ name, to: (settings as { to: string }).to }] : [];
  });
  const chosen = only === undefined ? backups : backups.filter((b) => b.name === only);
  if (only !== undefined && chosen.length === 0)
    throw new VigilError(
      "NOT_FOUND",
      `no backup action named "${only.slice(0, 100)}" (backup actions: ${backups.map((b) => b.name).join(", ") || "none"})`,
    );
  return Promise.all(
    chosen.map(async (b) => ({
      action: b.name,
      to: b.to,
      check: backupTarget(b.name),
      backups: (await listBackups(b.to)).map(backupRow),
    })),
  );
}

function listActions(config: VigilConfig): ActionInfo[] {
  const declared = Object.entries(config.actions).map(([name, a]) => ({
    name,
    kind: kindOf(a).type,
    risk: a.risk,
    params: a.params,
    approvals: a.approvals,
    agent_auto: a.agent_auto,
    description: a.description,
  }));
  const builtins = builtinActions
    .filter((b) => !Object.hasOwn(config.actions, b.name))
    .map((b) => ({
      name: b.name,
      kind: "builtin",
      risk: b.risk,
      params: b.params,
      approvals: 1,
      agent_auto: false,
      description: b.description,
      needs_target: b.needs_target,
    }));
  return [...declared, ...builtins];
}
