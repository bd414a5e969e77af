/**
 * A stop between an approval request and its event (core/announce.ts), on a real SQLite store: the
 * request is written, the agent dies, and the next start tells it exactly once, as asked by whom.
 */
import { afterEach, describe, expect, it } from "vitest";
import { gatewayHarness, type Harness } from "../../test/helpers/gateway.ts";
import { EventBus } from "../core/events.ts";
import { silentLogger } from "../core/log.ts";
import { ActionStore } from "../store/action-store.ts";
import { Approvals } from "./approvals.ts";

const actions = `
  reindex: { run: [printf, "%s", "{table}"], params: { table: { enum: [users, jobs] } }, risk: approve }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** An Approvals over the harness's store, as a process that dies as `over` has it does. */
function crashing(hh: Harness, over: { bus?: EventBus; store?: ActionStore }) {
  return new Approvals({
    store: over.store ?? hh.store,
    bus: over.bus ?? hh.bus,
    clock: hh.clock,
    log: silentLogger(),
    capabilities: hh.capabilities,
    redactor: hh.redactor,
    ttlMs: () => 3_600_000,
    onApproved: async () => undefined,
    recentEvents: async () => [],
  });
}

const request = (a: Approvals) =>
  a.request({
    action: "reindex",
    params: { table: "users" },
    target: null,
    reason: "queries are slow",
    requestedBy: "claude",
    required: 1,
    risk: "approve",
  });

describe("an approval request a stop left unannounced", () => {
  it("is announced by the next start, with who asked, when its event never reached the audit log", async () => {
    h = await gatewayHarness(actions);
    const dying = new EventBus({
      sink: { append: () => Promise.reject(new Error("killed")) },
      clock: h.clock,
      onListenerError: () => undefined,
    });
    await expect(request(crashing(h, { bus: dying }))).rejects.toThrow("killed");
    const [pending] = await h.store.listApprovals("pending", 10);
    expect(await h.events("approval.requested")).toEqual([]);

    expect(await h.approvals.announceLeftovers()).toBe(1);
    const [told, ...more] = await h.events("approval.requested");
    expect(more).toEqual([]);
    expect(told!.actor).toBe("claude");
    expect(told!.payload).toMatchObject({
      approval_id: pending!.id,
      action: "reindex",
      reason: "queries are slow",
    });
    expect(await h.approvals.announceLeftovers()).toBe(0);
    expect(await h.events("approval.requested")).toHaveLength(1);
  });

  it("is not announced twice when only the store's note of its event was lost", async () => {
    h = await gatewayHarness(actions);
    const forgetful = new (class extends ActionStore {
      override approvalAnnounced(): Promise<void> {
        return Promise.reject(new Error("killed"));
      }
    })(h.store.db, h.store.agent);
    // The event is written, then the process dies.
    await expect(request(crashing(h, { store: forgetful }))).rejects.toThrow("killed");
    expect(await h.events("approval.requested")).toHaveLength(1);
    expect(await h.approvals.announceLeftovers()).toBe(0);
    expect(await h.events("approval.requested")).toHaveLength(1);
    expect(await h.store.unannouncedApprovals()).toEqual([]);
  });
});
