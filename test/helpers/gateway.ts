/** A real gateway and approval queue on a real SQLite file, with the clock in the test's hands. */
import { Approvals } from "../../src/approvals/approvals.ts";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { EventBus } from "../../src/core/events.ts";
import { silentLogger } from "../../src/core/log.ts";
import { Redactor } from "../../src/core/redact.ts";
import { loadConfig } from "../../src/config/load.ts";
import type { VigilConfig } from "../../src/config/schema.ts";
import { Capabilities } from "../../src/gateway/capability.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { secretParams } from "../../src/gateway/params.ts";
import { ActionStore } from "../../src/store/action-store.ts";
import { openStore } from "../../src/store/open.ts";
import fs from "node:fs";
import path from "node:path";
import { FakeClock } from "./clock.ts";
import { tempDir } from "./tmp.ts";

export interface Harness {
  dir: string;
  clock: FakeClock;
  gateway: Gateway;
  approvals: Approvals;
  store: ActionStore;
  capabilities: Capabilities;
  redactor: Redactor;
  /** The bus over the audit log that the gateway and approvals emit on. */
  bus: EventBus;
  acted: string[];
  /** Audited events of one type, payloads parsed. */
  events(type: string): Promise<{ actor: string; payload: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

/** `actionsYaml` is the `actions:` section (indented two spaces), validated by the real config loader. */
export async function gatewayHarness(
  actionsYaml: string,
  opts: { clock?: FakeClock; hour?: number } = {},
): Promise<Harness> {
  const dir = tempDir("vigil-gw-");
  const file = path.join(dir, "vigil.yaml");
  fs.writeFileSync(file, `agent: { data_dir: ./data }\nactions:\n${actionsYaml}\n`);
  const loaded = await loadConfig(file, { PATH: process.env.PATH ?? "" });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const config: VigilConfig = loaded.config;
  const clock = opts.clock ?? new FakeClock(Date.now());
  const redactor = new Redactor()
    .addSecrets(loaded.secrets)
    .declareSecretParams(secretParams(config.actions));
  fs.mkdirSync(config.agent.data_dir, { recursive: true });
  const store = await openStore({ store: "sqlite", dataDir: config.agent.data_dir });
  const audit = new AuditLog(store, redactor);
  const bus = new EventBus({ sink: audit, clock, onListenerError: (e) => console.error(e) });
  const actionStore = new ActionStore(store.db, "web-0");
  const capabilities = Capabilities.open(config.agent.data_dir, () => clock.now());
  const acted: string[] = [];
  const gateway = new Gateway({
    actions: () => config.actions,
    services: {
      isService: (n) => n === "api",
      isTarget: (n) => n === "api" || n === "site",
      act: async (n, a, by) => {
        acted.push(`${a} ${n} by ${by}`);
        return { state: "up" };
      },
      largest: () => ({ name: "api", rssMb: 42 }),
      longerStart: async (n, by) => {
        acted.push(`longer-start ${n} by ${by}`);
        return { ok: true, detail: "longer" };
      },
      freePort: async (n, by) => {
        acted.push(`free-port ${n} by ${by}`);
        return { ok: true, detail: "freed" };
      },
    },
    store: actionStore,
    capabilities,
    bus,
    redactor,
    clock,
    log: silentLogger(),
    defaultCwd: dir,
  });
  const approvals = new Approvals({
    store: actionStore,
    bus,
    clock,
    log: silentLogger(),
    capabilities,
    redactor,
    ttlMs: () => config.remediation.approval_ttl,
    onApproved: (a, token, by, runId) => gateway.startApproved(a, token, by, runId),
    hour: () => opts.hour ?? 12,
    recentEvents: (limit) => audit.tail(limit),
  });
  gateway.approvals = approvals;
  return {
    dir,
    clock,
    gateway,
    approvals,
    store: actionStore,
    capabilities,
    redactor,
    bus,
    acted,
    events: async (type) =>
      (await store.readEvents({ limit: 10_000 }))
        .filter((e) => e.type === type)
        .map((e) => ({ actor: e.actor, payload: JSON.parse(e.payload) as Record<string, unknown> })),
    close: async () => {
      await approvals.stop();
      await gateway.drain();
      await audit.drain();
      await store.close();
    },
  };
}

/** Polls a run until it has finished. */
export async function finished(h: Harness, id: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const run = await h.gateway.getRun(id);
    if (run && run.status !== "running") return run;
    if (Date.now() > until) throw new Error(`run ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
