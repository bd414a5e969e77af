/**
 * Who may decide a request, as one rule: the queue enforces it on every decision and the dashboard's
 * card reads it to show or hide its buttons, so the two cannot disagree. The role (operator or
 * above) is the API's to check; this is what holds for any person.
 */
import type { ApprovalStatus } from "../store/action-store.ts";

/** Why a person may not decide: decided already, their own request, or their decision is in. */
export type Refusal = "not_pending" | "requester" | "decided_already";

export function refusalFor(
  a: { status: ApprovalStatus; requested_by: string },
  deciders: readonly string[],
  name: string,
): Refusal | undefined {
  if (a.status !== "pending") return "not_pending";
  if (a.requested_by === name) return "requester";
  if (deciders.includes(name)) return "decided_already";
  return undefined;
}
