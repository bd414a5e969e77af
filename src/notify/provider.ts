/**
 * The provider contract: deliver one notification to one channel and say how it went, never throw.
 * A permanent failure is not retried; a transient one is, after `retryAfterMs` when the receiver says.
 *
 * A provider is one file in providers/, `<type>.ts`, whose default export is `defineProvider({...})`
 * with everything about it: its settings' schema, which settings are secret, how doctor reaches it,
 * and `deliver`. `providers/index.ts` finds the files; `providers/contract.test.ts` holds every one
 * to this contract. A provider that needs a heavy library imports it inside `deliver`, so an agent
 * without that kind of channel never loads it.
 */
import type { z } from "zod";
import type { SchemaKit } from "../config/kit.ts";
import { missingFields } from "../core/plugins.ts";
import type { IncidentContext } from "./context.ts";

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
    /** For an incident: since when, the last results, what was tried, what comes next, its page. */
    context?: IncidentContext | undefined;
    /**
     * A message with parts (the daily digest): each a heading and its lines, which a provider lays
     * out in its own format; `text` says the same in plain text.
     */
    sections?: { heading: string; lines: string[] }[] | undefined;
    /** The daily digest's facts as data, for receivers that read JSON (the webhook). */
    digest?: unknown;
    /**
     * The audit chain's head when this was sent, `seq 1372 #ab12cd34`: every receiver keeps a recent
     * anchor outside the agent's host, which `vigil audit verify --anchor` holds the chain to.
     */
    audit_anchor?: string | undefined;
  };
}

/**
 * The audit anchor as a text provider shows it, last in the message where clipping cannot cut it:
 * every channel a person reads then holds recent anchors outside the agent's host.
 */
export function anchorLine(m: Outgoing["message"]): string | undefined {
  return m.audit_anchor ? `audit ${m.audit_anchor}` : undefined;
}

export type Delivery = { ok: true } | { ok: false; error: string; permanent: boolean; retryAfterMs?: number };

/** What doctor found when it tried a channel without sending anything. */
export type ChannelCheck = { ok: true; detail: string } | { ok: false; what: string; fix: string };

/**
 * How `vigil doctor` tries a channel without sending: connect to the host of one of its URLs, or
 * run the provider's own check (an SMTP handshake, a bot's getMe). `field` and `key` name the
 * setting, so a problem says what to fix.
 */
export type ChannelDoctorPlan =
  | { reach: { url: string; field: string } }
  | { verify(key: string, timeoutMs: number): Promise<ChannelCheck> };

export interface Provider<C = unknown> {
  /** The provider type: the key under a channel in vigil.yaml, and the file's name. */
  readonly type: string;
  /** One line for the reference. */
  readonly description: string;
  /** Its settings, built with the kit the config side lends; the daemon never calls it. */
  schema(kit: SchemaKit): z.ZodType;
  /** Settings that are valid; the contract suite delivers with them to a closed local port. */
  readonly example: Record<string, unknown>;
  /** Settings whose values are secrets (a token, a URL that is the credential): never in an error. */
  readonly secrets: readonly string[];
  doctor(config: C): ChannelDoctorPlan;
  deliver(config: C, n: Outgoing, opts: { timeoutMs: number; now: number }): Promise<Delivery>;
}

/**
 * Declares a provider with its settings typed from its own schema.
 *
 * @example
 * export default defineProvider({
 *   type: "slack",
 *   schema: ({ z }) => z.strictObject({ webhook_url: z.url() }),
 *   deliver: (cfg, n, opts) => postJson(cfg.webhook_url, {}, JSON.stringify(...), opts.timeoutMs),
 *   ...
 * });
 */
export function defineProvider<S extends z.ZodType>(
  provider: { schema(kit: SchemaKit): S } & Omit<Provider<z.output<S>>, "schema">,
): Omit<Provider<z.output<S>>, "schema"> & { schema(kit: SchemaKit): S } {
  return provider;
}

/** Why a module's default export is not a complete provider (for discovery), or undefined. */
export function incompleteProvider(p: Record<string, unknown>): string | undefined {
  return missingFields(p, {
    description: "string",
    schema: "function",
    example: "object",
    secrets: "array",
    doctor: "function",
    deliver: "function",
  });
}
