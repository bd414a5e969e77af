/**
 * The composition root: builds every component from a valid config, starts them in order, and stops
 * them in reverse. Each component registers its cleanup at the moment it is created.
 *
 * Owns: wiring and lifecycle. Everything else receives what it needs from here.
 */
import type { DestinationStream } from "pino";
import { TokenRegistry, type Principal } from "../api/auth.ts";
import type { HealthInfo, ReloadOutcome } from "../api/context.ts";
import type { EventStreams } from "../api/event-streams.ts";
import type { Listening } from "../api/server.ts";
import { runtimeInfo } from "../api/routes/system.ts";
import { systemClock, type Clock } from "../core/clock.ts";
import { VigilError } from "../core/errors.ts";
import { EventBus } from "../core/events.ts";
import { Lifecycle } from "../core/lifecycle.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { Redactor } from "../core/redact.ts";
import { formatProblem } from "../config/result.ts";
import { loadConfigIsolated, loadForReload } from "./config-loader.ts";
import { secretParams } from "../gateway/params.ts";
import type { VigilConfig } from "../config/schema.ts";
import { ensureDataDir, openStore } from "../store/open.ts";
import type { Store } from "../store/store.ts";
import { KillSwitch } from "../remediation/kill-switch.ts";
import { wireActions } from "./actions.ts";
import { openAuditedBus } from "./core.ts";
import { LoopLag } from "./loop-lag.ts";
import { joinFleet } from "./fleet.ts";
import type { Membership } from "../fleet/membership.ts";
import { serveApi } from "./api.ts";
import type { Built, Core } from "./wiring.ts";
import { ensureAdminToken, restoreAdminTokenLogged } from "./admin-token.ts";
import { StoreHealth } from "../store/health.ts";
import { wireStoreHealth } from "./store-health.ts";
import { wireMetrics, type AgentMetrics } from "./metrics.ts";
import { wireClaimsWatcher } from "./claims-watcher.ts";
import { wireGovernance } from "./governance.ts";
import { wireJobs } from "./jobs.ts";
import { wireNotify, type IncidentsForNotify } from "./notify.ts";
import { wireDigest } from "./digest.ts";
import { wireRemediation } from "./remediation.ts";
import { wireAlertmanager } from "./alertmanager.ts";
import { wireSharedChecks } from "./shared-checks.ts";
import { Supervision } from "./supervision.ts";
import { version } from "./version.ts";

export interface AppOptions {
  configFile: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Where logs go (standard error by default). */
  logDestination?: DestinationStream;
  /** `vigil up --accept-audit-reset`: start a new audit chain instead of refusing a broken one. */
  acceptAuditReset?: boolean;
  /** The agent stopped itself (it lost its place in the fleet): `vigil up` exits 1. */
  onFatal?: (reason: string) => void;
}

export class App {
  readonly #opts: AppOptions;
  readonly #clock: Clock;
  readonly #redactor = new Redactor();
  readonly #lifecycle = new Lifecycle();
  #config: VigilConfig;
  /** The config's secrets, as its loader found them: masked in what this agent publishes. */
  #secrets: string[];
  #log: Logger;
  #store: Store | undefined;
  #storeHealth: StoreHealth | undefined;
  #bus: EventBus | undefined;
  #http: Listening | undefined;
  #tokens = new TokenRegistry([]);
  #adminToken = "";
  readonly #lag = new LoopLag();
  #stopping: Promise<void> | undefined;
  #stopReason = "stopped";
  #supervision: Supervision | undefined;
  #killSwitch: KillSwitch | undefined;
  #streams: EventStreams | undefined;
  #poke: () => void = () => undefined;
  #reloadJobs: () => Promise<void> = async () => undefined;
  #reloadClaims: () => Promise<void> = async () => undefined;

  private constructor(opts: AppOptions, config: VigilConfig, secrets: string[]) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#config = config;
    this.#secrets = secrets;
    this.#redactor.addSecrets(secrets).declareSecretParams(secretParams(config.actions));
    this.#log = createLogger({
      level: config.agent.log_level,
      redactor: this.#redactor,
      ...(opts.logDestination ? { destination: opts.logDestination } : {}),
    }).child({ agent: config.agent.name });
  }

  /**
   * Loads and validates the config; throws CONFIG_INVALID with every problem in `details.problems`.
   * @example const app = await App.load({ configFile: "vigil.yaml" }); await app.start();
   */
  static async load(opts: AppOptions): Promise<App> {
    const result = await loadConfigIsolated(opts.configFile, opts.env ?? process.env);
    if (!result.ok) {
      const problems = result.problems.map(formatProblem);
      throw new VigilError("CONFIG_INVALID", `${opts.configFile} has ${problems.length} problem(s)`, {
        details: { problems },
      });
    }
    return new App(opts, result.config, result.secrets);
  }

  get config(): VigilConfig {
    return this.#config;
  }

  get log(): Logger {
    return this.#log;
  }

  /** The API's base URL, once started. */
  get url(): string {
    if (!this.#http) throw new Error("the agent is not started");
    return this.#http.url;
  }

  get bus(): EventBus {
    if (!this.#bus) throw new Error("the agent is not started");
    return this.#bus;
  }

  /**
   * Builds and starts every component in order. Each registers its cleanup as it is created; a
   * failure part way stops what had started, in reverse.
   */
  async start(): Promise<void> {
    try {
      this.#prepareDataDir();
      const core = await this.#openCore();
      const killSwitch = await this.#openKillSwitch(core);
      // Subscribed before anything else emits, so the counters see every event from the first.
      const metrics = await this.#wireMetrics(core, killSwitch);
      const supervision = await this.#startSupervision(core, killSwitch, metrics);
      const { actions, approvals, gateway } = await wireActions({
        ...this.#wiring(core),
        redactor: this.#redactor,
        supervision,
        configFile: this.#opts.configFile,
      });
      const { guard, poke, muted, incidents, next } = await wireRemediation({
        ...this.#wiring(core),
        supervision,
        gateway,
        approvals,
        killSwitch,
      });
      this.#poke = poke;
      await wireSharedChecks({ ...this.#wiring(core), fleet: core.fleet, supervision, incidents });
      const w = { ...this.#wiring(core), gateway, approvals, incidents, killSwitch };
      const { jobs, reload: reloadJobs } = await wireJobs(w);
      this.#reloadJobs = reloadJobs;
      const parts = { supervision, killSwitch, metrics, actions, approvals, guard, muted, jobs };
      const governance = wireGovernance({ ...this.#wiring(core), built: parts });
      const alerts = wireAlertmanager({ ...this.#wiring(core), supervision });
      const digest = wireDigest({ ...this.#wiring(core), audit: core.audit, actions });
      const built: Built = { ...parts, fleet: core.fleet, governance, alerts, digest };
      await this.#wireNotify(core, built, { incidents, next });
      this.#lag.start(this.#lifecycle);
      const http = await this.#serveApi(core, built);
      const claims = await wireClaimsWatcher({ ...this.#wiring(core), core, verifier: governance.verifier });
      this.#reloadClaims = claims.reload;
      await this.#announce(core, http);
    } catch (e) {
      await this.#lifecycle.close();
      throw e;
    }
  }

  /** The data dir, and the admin token that the CLI on this machine reads from it. */
  #prepareDataDir(): void {
    const { data_dir } = this.#config.agent;
    ensureDataDir(data_dir);
    this.#adminToken = ensureAdminToken(data_dir);
    this.#redactor.addSecrets([this.#adminToken]);
    this.#tokens.replace(this.#tokenList());
  }

  /** The store, the audit log over it, and the event bus that writes to it. */
  async #openCore(): Promise<Core> {
    const { agent } = this.#config;
    const health = (this.#storeHealth = new StoreHealth({ clock: this.#clock }));
    const store = (this.#store = await openStore({ store: agent.store, dataDir: agent.data_dir, health }));
    this.#lifecycle.defer("store", () => store.close());
    const fleet = await this.#joinFleet(store);
    const { audit, bus } = await openAuditedBus({
      ...{ store, dataDir: agent.data_dir, agent: agent.name, redactor: this.#redactor, clock: this.#clock },
      ...{ log: this.#log, lifecycle: this.#lifecycle, acceptReset: this.#opts.acceptAuditReset ?? false },
      stopReason: () => this.#stopReason,
    });
    this.#bus = bus;
    return { store, audit, bus, fleet };
  }

  /** Refused when a live agent holds agent.name; stops (exit 1) when another start takes it. */
  #joinFleet(store: Store): Promise<Membership> {
    return joinFleet({
      ...{ store, clock: this.#clock, log: this.#log, lifecycle: this.#lifecycle },
      config: () => this.#config,
      secrets: () => this.#secrets,
      targets: () => this.#supervision?.list() ?? [],
      bus: () => this.#bus,
      fail: (reason) => {
        const exit = () => this.#opts.onFatal?.(reason);
        this.stop(reason).then(exit, exit);
      },
    });
  }

  /** What every wiring function takes. */
  #wiring({ store, bus }: Core) {
    return {
      store,
      bus,
      clock: this.#clock,
      log: this.#log,
      lifecycle: this.#lifecycle,
      config: () => this.#config,
    };
  }

  async #openKillSwitch(core: Core): Promise<KillSwitch> {
    const { store, bus } = core;
    const now = () => this.#clock.now();
    const killSwitch = (this.#killSwitch = new KillSwitch(store, bus, () => this.#onResume(), now));
    await killSwitch.load();
    // A full disk: people are told, the switch works in memory, and both are recorded once it writes.
    wireStoreHealth({ ...this.#wiring(core), health: this.#storeHealth!, killSwitch });
    return killSwitch;
  }

  #wireMetrics({ store, bus, audit }: Core, killSwitch: KillSwitch): Promise<AgentMetrics> {
    return wireMetrics({
      store,
      bus,
      auditHead: () => audit.head,
      lifecycle: this.#lifecycle,
      config: () => this.#config,
      targets: () => this.#supervision?.list() ?? [],
      schedulerLagMs: () => this.#supervision?.lagP99() ?? 0,
      paused: () => killSwitch.paused,
    });
  }

  /** Services, checks and their scheduler; automatic restarts wait while paused or observing. */
  async #startSupervision(
    { store, bus }: Core,
    killSwitch: KillSwitch,
    metrics: AgentMetrics,
  ): Promise<Supervision> {
    const supervision = (this.#supervision = new Supervision({
      agent: this.#config.agent.name,
      store,
      bus,
      clock: this.#clock,
      log: this.#log,
      lifecycle: this.#lifecycle,
      concurrency: this.#config.agent.max_concurrent_checks,
      automaticAllowed: () => !killSwitch.paused && this.#config.agent.mode === "auto",
      onCheckResult: (spec, r) => metrics.check(spec, r),
      fleet: store.db.dialect === "postgres",
    }));
    await supervision.start(this.#config);
    return supervision;
  }

  /** Notifications, and the chat commands that read and pause the agent. */
  #wireNotify(core: Core, b: Built, incidents: IncidentsForNotify): Promise<void> {
    return wireNotify({
      ...this.#wiring(core),
      ...incidents,
      auditAnchor: () => core.audit.anchorText(),
      claimer: core.fleet.instance,
      muted: b.muted,
      commands: {
        bus: core.bus,
        now: () => this.#clock.now(),
        targets: () => b.supervision.list(),
        paused: () => b.killSwitch.paused,
        approvals: b.approvals,
        pause: (by, reason) => b.guard.pause(by, reason),
        resume: (by, reason) => b.guard.resume(by, reason),
      },
    });
  }

  /** The HTTP API on agent.listen, with the event streams it serves. */
  async #serveApi(core: Core, built: Built): Promise<Listening> {
    const { http, streams } = await serveApi({
      ...this.#wiring(core),
      core,
      built,
      tokens: this.#tokens,
      health: () => this.#health(),
      reload: (by) => this.reload(by),
      redactor: this.#redactor,
    });
    this.#http = http;
    this.#streams = streams;
    return http;
  }

  /** The start, in the audit log and the log. */
  async #announce({ store, bus }: Core, http: Listening): Promise<void> {
    const { agent } = this.#config;
    await bus.emit("agent.started", "agent", {
      version,
      mode: agent.mode,
      pid: process.pid,
      config_file: this.#opts.configFile,
      store: store.description,
      runtime: runtimeInfo(),
    });
    this.#log.info({ url: http.url, store: store.description, mode: agent.mode }, "agent started");
  }

  /** Stops everything in reverse order of start. Safe to call twice; the second waits for the first. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#stop(reason);
    return this.#stopping;
  }

  async #stop(reason: string): Promise<void> {
    this.#log.info({ reason }, "agent stopping");
    this.#stopReason = reason;
    for (const f of await this.#lifecycle.close()) {
      this.#log.error({ err: f.error, cleanup: f.name }, "cleanup failed");
    }
    this.#log.info("agent stopped");
    this.#log.flush();
  }

  /**
   * Re-reads the config file. An invalid config is refused and the running one stays; the problems
   * are logged, audited and returned.
   */
  async reload(by: Principal = { name: "signal", role: "admin" }): Promise<ReloadOutcome> {
    const file = this.#opts.configFile;
    restoreAdminTokenLogged(this.#config.agent.data_dir, this.#adminToken, this.#log);
    const result = await loadForReload(file, this.#opts.env ?? process.env, () => this.#config);
    if (!result.ok) {
      const { problems } = result;
      // Problems name a variable instead of quoting its value (config/interpolate.ts `concealer`); the
      // redactor still scrubs every configured secret of the old config.
      this.#log.error({ problems, by: by.name }, "config reload refused; the running config is unchanged");
      await this.bus.emit("config.reload_failed", "config", { config_file: file, problems }, by.name);
      return { ok: false, problems };
    }
    this.#redactor.addSecrets(result.secrets).declareSecretParams(secretParams(result.config.actions));
    this.#config = result.config;
    this.#secrets = result.secrets;
    this.#tokens.replace(this.#tokenList());
    await this.#supervision?.reload(result.config);
    await this.#reloadJobs();
    await this.#reloadClaims();
    // Observe mode turned off: what exited meanwhile starts, open incidents are looked at again.
    if (result.config.agent.mode === "auto") await this.#onResume();
    await this.bus.emit("config.reloaded", "config", { config_file: file }, by.name);
    this.#log.info({ by: by.name }, "config reloaded");
    return { ok: true };
  }

  get supervision(): Supervision | undefined {
    return this.#supervision;
  }

  /** Automatic action may be allowed again (resume, observe mode off). */
  async #onResume(): Promise<void> {
    if (this.#killSwitch?.paused || this.#config.agent.mode !== "auto") return;
    await this.#supervision?.services.resumeAutomatic();
    this.#poke();
  }

  #tokenList() {
    return [...this.#config.auth.tokens, { name: "admin", role: "admin" as const, token: this.#adminToken }];
  }

  async #health(): Promise<HealthInfo> {
    const outage = this.#storeHealth?.outage;
    return {
      // The store failing is not "ok": what must be recorded is refused until it writes again.
      status: outage ? "degraded" : "ok",
      ...(outage ? { store_error: outage.cause, store_failing_since: outage.since } : {}),
      version,
      mode: this.#config.agent.mode,
      paused: this.#killSwitch?.paused ?? false,
      store: this.#store!.description,
      scheduler_lag_ms: this.#supervision?.lagP99() ?? 0,
      event_loop_lag_ms: this.#lag.takeP99Ms(),
      event_streams: this.#streams?.count ?? 0,
    };
  }
}
