/**
 * The HTTP API on agent.listen, with the event streams it serves and the notification test it offers:
 * everything the routes read comes from the parts the start has built.
 */
import { FailureLimiter, type Principal, type TokenRegistry } from "../api/auth.ts";
import type { HealthInfo, McpApi, NotifyApi, ReloadOutcome } from "../api/context.ts";
import { EventStreams } from "../api/event-streams.ts";
import { SessionStore } from "../api/sessions.ts";
import { createApi, listen, type Listening } from "../api/server.ts";
import { testChannel } from "../notify/test-message.ts";
import { SessionRows } from "../store/session-store.ts";
import type { Redactor } from "../core/redact.ts";
import { fleetTargets } from "../targets/fleet-list.ts";
import { TargetHistory } from "../targets/history.ts";
import { governanceApi } from "./governance.ts";
import { version } from "./version.ts";
import { splitListen } from "./listen-address.ts";
import type { Built, Core, Wiring } from "./wiring.ts";

export interface ApiWiring extends Wiring {
  core: Core;
  built: Built;
  tokens: TokenRegistry;
  health: () => Promise<HealthInfo>;
  reload: (by: Principal) => Promise<ReloadOutcome>;
  redactor: Redactor;
}

export async function serveApi(w: ApiWiring): Promise<{ http: Listening; streams: EventStreams }> {
  const { core, built: b, clock } = w;
  const streams = openEventStreams(w);
  const log = w.log.child({ component: "api" });
  const api = createApi({
    audit: core.audit,
    targets: b.supervision,
    actions: b.actions,
    approvals: b.approvals,
    guard: b.guard,
    notify: notifyApi(w),
    digest: b.digest,
    governance: governanceApi(w),
    jobs: b.jobs,
    fleet: {
      view: () => b.fleet.view(),
      roster: () => b.fleet.roster(),
      targets: async () =>
        fleetTargets(await core.store.allTargets(), b.supervision.list(), w.config().agent.name),
    },
    events: streams,
    metrics: b.metrics,
    tokens: w.tokens,
    limiter: new FailureLimiter({ log, observer: b.metrics.access, now: () => clock.now() }),
    history: new TargetHistory({ store: core.store, clock, targets: b.supervision }),
    mcp: mcpApi(w),
    sessions: new SessionStore({
      tokens: w.tokens,
      table: new SessionRows(core.store.db),
      now: () => clock.now(),
    }),
    alertmanager: b.alerts,
    log,
    health: w.health,
    publicOpsReport: () => w.config().agent.public_ops_report,
    reload: w.reload,
  });
  const { host, port } = splitListen(w.config().agent.listen);
  const http = await listen(api, host, port, undefined, () => w.config().agent.allowed_hosts);
  w.lifecycle.defer("http", () => http.close());
  // Runs before the server closes: open event streams end cleanly instead of holding the stop.
  w.lifecycle.defer("event streams", () => streams.close());
  return { http, streams };
}

function openEventStreams({ core: { bus, audit }, clock, log }: ApiWiring): EventStreams {
  return new EventStreams({
    feed: {
      subscribe: (listener) => bus.on("*", listener),
      page: (after, limit) => audit.page(after, limit),
    },
    clock,
    log: log.child({ component: "events" }),
  });
}

/** The MCP tools' audit and redaction: the bus records each call, the agent's redactor hides secrets. */
function mcpApi({ core: { bus }, redactor }: ApiWiring): McpApi {
  return {
    version,
    called: async (by, subject, payload) => {
      await bus.emit("mcp.called", subject, payload, by.name);
    },
    redact: (text) => redactor.redactString(text),
  };
}

/** `vigil notify test`: through the current config (a reload is honoured), audited with who asked. */
function notifyApi({ core: { bus, audit }, clock, config }: ApiWiring): NotifyApi {
  return {
    test: async (channel, by) => {
      const r = await testChannel(config().notify, channel, clock.now(), audit.anchorText());
      const payload = { channel, type: r.type, ok: r.ok, error: r.error ?? null };
      await bus.emit("notification.tested", channel, payload, by.name);
      return r;
    },
  };
}
