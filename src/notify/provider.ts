/**
 * The provider contract: deliver one notification to one channel and say how it went, never throw.
 * A permanent failure is not retried; a transient one is, after `retryAfterMs` when the receiver says.
 */
export interface Outgoing {
  /** Stable for every attempt of this notification: receivers dedup on it. */
  id: string;
  message: {
    id: string;
    kind: string;
    target: string | null;
    title: string;
    text: string;
    incident_id?: string | undefined;
    /** For an approval request: what the Approve / Reject buttons decide. */
    approval_id?: string | undefined;
    at: number;
    /** A grouped message: each fact it tells, oldest first (the fields above are the newest one's). */
    items?: { kind: string; title: string; text: string; at: number; incident_id?: string }[] | undefined;
  };
}

export type Delivery = { ok: true } | { ok: false; error: string; permanent: boolean; retryAfterMs?: number };

export interface Provider<C> {
  type: string;
  deliver(cfg: C, n: Outgoing, opts: { timeoutMs: number; now: number }): Promise<Delivery>;
}
