/**
 * The facts of one day for the digest, read from the store, the audit chain and the backup folders.
 * Each part is bounded: lists are capped, the audit walk has a deadline, and a part that cannot be
 * read says why instead of failing the whole digest.
 */
import type { VerifyResult } from "../audit/verify.ts";
import type { BackupsView } from "../backups/manifest.ts";
import type { Clock } from "../core/clock.ts";
import type { ActionTally, DecidedApproval, DigestStore } from "../store/digest-store.ts";
import { dayWindow, type DateText } from "./day.ts";

/** At most this many incidents, approvals and actions are listed one by one; the counts stay whole. */
const listMax = 50;
const worstMax = 5;

export interface DigestIncident {
  id: string;
  target: string;
  failure_class: string;
  opened_at: number;
  resolved_at: number | null;
  /** From opening to resolution, when it was resolved by the end of the day. */
  recovery_ms: number | null;
  escalated: boolean;
}

export interface DigestBackup {
  action: string;
  /** The newest dump whose restore was tested, if any. */
  file: string | null;
  verified_at: number | null;
  ok: boolean | null;
  error: string | null;
}

export interface Digest {
  date: DateText;
  timezone: string;
  from: number;
  to: number;
  generated_at: number;
  incidents: {
    opened: number;
    resolved: number;
    median_recovery_ms: number | null;
    list: DigestIncident[];
  };
  actions: { runs: number; succeeded: number; failed: number; by_action: ActionTally[] };
  approvals: { approved: number; rejected: number; expired: number; list: DecidedApproval[] };
  /** The targets with the lowest share of good results over the day, worst first. */
  uptime: { target: string; percent: number; total: number; ok: number }[];
  /** Whether the whole chain verified when the digest was made; `ok: null` when the walk ran out of time. */
  audit: { ok: boolean | null; count: number | null; reason: string | null };
  backups: { list: DigestBackup[]; error: string | null };
}

export interface DigestSources {
  store: DigestStore;
  clock: Clock;
  verifyAudit: () => Promise<VerifyResult>;
  backups: () => Promise<BackupsView[]>;
  /** How long the audit walk may take before the digest goes without its verdict. */
  auditTimeoutMs: number;
}

export async function collectDigest(src: DigestSources, date: DateText, timezone: string): Promise<Digest> {
  const w = dayWindow(date, timezone);
  const [incidents, actions, approvals, uptime, audit, backups] = await Promise.all([
    src.store.incidents(w, listMax),
    src.store.actions(w, listMax),
    src.store.decidedApprovals(w, listMax),
    src.store.worstUptime(w, worstMax),
    auditVerdict(src),
    backupVerdicts(src),
  ]);
  const list = incidents.list.map((i) => ({
    ...i,
    recovery_ms: i.resolved_at !== null && i.resolved_at < w.to ? i.resolved_at - i.opened_at : null,
  }));
  const recoveries = list
    .filter((i) => i.resolved_at !== null && i.resolved_at >= w.from && i.recovery_ms !== null)
    .map((i) => i.recovery_ms!);
  const sum = (k: "runs" | "succeeded" | "failed") => actions.reduce((n, a) => n + a[k], 0);
  return {
    date,
    timezone,
    ...w,
    generated_at: src.clock.now(),
    incidents: {
      opened: incidents.opened,
      resolved: incidents.resolved,
      median_recovery_ms: median(recoveries),
      list,
    },
    actions: { runs: sum("runs"), succeeded: sum("succeeded"), failed: sum("failed"), by_action: actions },
    approvals: { ...approvals.counts, list: approvals.list },
    uptime: uptime.map((u) => ({ ...u, percent: Math.floor((u.ok / u.total) * 10_000) / 100 })),
    audit,
    backups,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** The walk of the whole chain, given `auditTimeoutMs`; a walk that takes longer is reported, not awaited. */
async function auditVerdict(src: DigestSources): Promise<Digest["audit"]> {
  let timer: { cancel(): void } | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = src.clock.setTimeout(() => resolve(undefined), src.auditTimeoutMs);
  });
  try {
    const r = await Promise.race([src.verifyAudit(), late]);
    if (!r)
      return {
        ok: null,
        count: null,
        reason: `the walk did not finish within ${Math.round(src.auditTimeoutMs / 1000)} s; run vigil audit verify`,
      };
    return { ok: r.ok, count: r.count, reason: r.reason ?? null };
  } catch (e) {
    return { ok: null, count: null, reason: `the chain could not be read: ${(e as Error).message}` };
  } finally {
    timer?.cancel();
  }
}

/** Each backup action's newest restore test: when, on which dump, and how it went. */
async function backupVerdicts(src: DigestSources): Promise<Digest["backups"]> {
  try {
    const views = await src.backups();
    return {
      error: null,
      list: views.map((v) => {
        const tested = v.backups.find((b) => b.verify !== null);
        return {
          action: v.action,
          file: tested?.file ?? null,
          verified_at: tested?.verify?.at ?? null,
          ok: tested?.verify?.ok ?? null,
          error: tested?.verify?.error ?? (tested && !tested.good ? tested.problem : null),
        };
      }),
    };
  } catch (e) {
    return { list: [], error: `the backup folders could not be read: ${(e as Error).message}` };
  }
}
