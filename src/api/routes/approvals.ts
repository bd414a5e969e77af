/**
 * The approval queue over HTTP. What a request is listed with is what a person needs to judge it
 * (the card): the risk assessment with each signal's reason, the parameters (secrets redacted), the
 * action's description, and whether the caller may decide it, or why not. Deciding enforces the same
 * rules: the route's role, then the queue's own (approvals/may-decide.ts).
 */
import type { ApprovalView } from "../../approvals/approvals.ts";
import { refusalFor, type Refusal } from "../../approvals/may-decide.ts";
import { roleAtLeast, type Principal } from "../auth.ts";
import { pathParam, queryEnum, queryInt, readJson } from "../body.ts";
import type { ApiDeps, RouteSpec } from "../context.ts";
import { shape, text } from "../fields.ts";
import { byIdRoute } from "./by-id.ts";

const decisionBody = shape({ note: text({ max: 2_000, fallback: "" }) });

const statuses = ["pending", "approved", "rejected", "expired"] as const;

export interface ApprovalCard extends ApprovalView {
  /** The action's `description`, when it has one. */
  description: string | null;
  /** Whether the caller may approve or reject it now. */
  can_decide: boolean;
  /** When not, why, in words for the caller. */
  why_not: string | null;
}

function whyNot(a: ApprovalView, p: Principal): string | null {
  if (!roleAtLeast(p.role, "operator")) return `${p.role}s cannot decide: an operator or an admin must`;
  const refusal: Refusal | undefined = refusalFor(
    a,
    a.decisions.map((d) => d.by),
    p.name,
  );
  if (refusal === "not_pending") return `already ${a.status}`;
  if (refusal === "requester") return "you requested this: another operator must approve";
  if (refusal === "decided_already")
    return `you already decided this: it needs ${a.required} different people`;
  return null;
}

function cards(deps: ApiDeps, views: ApprovalView[], p: Principal): ApprovalCard[] {
  const described = new Map(deps.actions.list().map((a) => [a.name, a.description ?? null]));
  return views.map((a) => {
    const why = whyNot(a, p);
    return { ...a, description: described.get(a.action) ?? null, can_decide: why === null, why_not: why };
  });
}

export const approvalRoutes: RouteSpec[] = [
  {
    method: "GET",
    path: "/api/approvals",
    role: "viewer",
    handler: async (c, deps) => {
      const status = queryEnum(c, "status", statuses);
      const views = await deps.approvals.list(status, queryInt(c, "limit", 100, 1_000));
      return c.json({ approvals: cards(deps, views, c.principal!) });
    },
  },
  byIdRoute("/api/approvals", "approval request", async (deps, id, p) => {
    const view = await deps.approvals.get(id);
    return view && cards(deps, [view], p)[0];
  }),
  ...(["approve", "reject"] as const).map((decision): RouteSpec => ({
    method: "POST",
    path: `/api/approvals/:id/${decision}`,
    role: "operator",
    handler: async (c, deps) => {
      const { note } = await readJson(c, decisionBody);
      return c.json(await deps.approvals.decide(pathParam(c, "id"), c.principal!, decision, note));
    },
  })),
];
