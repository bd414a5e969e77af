/**
 * A notification as providers render it, and what a group of them looks like: the newest fact on
 * top, every fact listed in order (`items`).
 */
import type { IncidentContext } from "./context.ts";
import type { Notice } from "./notice.ts";
import type { Outgoing } from "./provider.ts";

export type Message = Outgoing["message"];
type Item = NonNullable<Message["items"]>[number];

export function messageOf(id: string, n: Notice, context?: IncidentContext): Message {
  return {
    id,
    kind: n.kind,
    target: n.target,
    title: n.title,
    text: n.text,
    ...(n.incident_id ? { incident_id: n.incident_id } : {}),
    ...(n.approval_id ? { approval_id: n.approval_id } : {}),
    at: n.at,
    ...(context ? { context } : {}),
  };
}

const itemOf = (m: Pick<Message, "kind" | "title" | "text" | "at" | "incident_id">): Item => ({
  kind: m.kind,
  title: m.title,
  text: m.text,
  at: m.at,
  ...(m.incident_id ? { incident_id: m.incident_id } : {}),
});

/**
 * The waiting message with one more notice: newest state on top, every step listed in order, and
 * the newest context (it was read later, so it knows more).
 */
export function merge(waiting: Message, n: Notice, context?: IncidentContext): Message {
  const items = [...(waiting.items ?? [itemOf(waiting)]), itemOf(n)];
  return {
    id: waiting.id,
    kind: n.kind,
    target: waiting.target,
    title: `${n.title} (${items.length} updates)`,
    text: items.map((i) => `• ${i.title}: ${i.text}`).join("\n"),
    ...((n.incident_id ?? waiting.incident_id) ? { incident_id: n.incident_id ?? waiting.incident_id } : {}),
    at: waiting.at,
    items,
    ...((context ?? waiting.context) ? { context: context ?? waiting.context } : {}),
  };
}
