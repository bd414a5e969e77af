/**
 * Wires the daily digest: its sources (the store, the audit log's verification, the backup
 * folders), the sender that queues it into the outbox once a day, and the preview the API serves.
 */
import type { AuditLog } from "../audit/audit-log.ts";
import type { ActionsApi, DigestApi } from "../api/context.ts";
import type { DigestSources } from "../digest/collect.ts";
import { previewDigest } from "../digest/preview.ts";
import { digestSender } from "../digest/sender.ts";
import { DigestStore } from "../store/digest-store.ts";
import { OutboxStore } from "../store/outbox-store.ts";
import type { Wiring } from "./wiring.ts";

/** The digest goes without the audit verdict rather than wait longer than this for the walk. */
const auditTimeoutMs = 60_000;

export function wireDigest(w: Wiring & { audit: AuditLog; actions: ActionsApi }): DigestApi {
  const sources: DigestSources = {
    store: new DigestStore(w.store.db),
    clock: w.clock,
    verifyAudit: () => w.audit.verify(),
    backups: () => w.actions.backups(undefined),
    auditTimeoutMs,
  };
  const sender = digestSender({
    sources,
    outbox: new OutboxStore(w.store.db),
    clock: w.clock,
    log: w.log.child({ component: "digest" }),
    config: () => w.config().notify,
  });
  sender.start();
  w.lifecycle.defer("daily digest", () => sender.stop());
  return { preview: (date) => previewDigest(sources, w.config().notify, date) };
}
