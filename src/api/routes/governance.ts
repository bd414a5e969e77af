/**
 * Governance for AI assistants: `POST /api/check` checks a work order's sections, `POST /api/verify`
 * checks a claim against the machine. Each route is its own entry, so routes merge cleanly.
 */
import { maxClaimChars } from "../../governance/claims/index.ts";
import { maxInstructionBytes } from "../../governance/instructions.ts";
import { readJson } from "../body.ts";
import type { RouteSpec } from "../context.ts";
import { shape, text } from "../fields.ts";

const checkBody = shape({
  instruction: text({
    max: maxInstructionBytes,
    hint: 'the work order\'s text, e.g. {"instruction": "## DELIVERABLES\\n..."}',
  }),
});

const verifyBody = shape({
  claim: text({
    min: 1,
    max: maxClaimChars,
    hint: 'the claim\'s text, e.g. {"claim": "Port 5432 is listening"}',
    valid: (s) => s.trim() !== "",
  }),
});

export const governanceRoutes: RouteSpec[] = [
  {
    method: "POST",
    path: "/api/check",
    role: "agent",
    // A work order that lacks sections is still a 200 with ok: false: the request was fine, the order is not.
    handler: async (c, deps) => {
      const { instruction } = await readJson(c, checkBody);
      return c.json(await deps.governance.check(instruction, c.principal!));
    },
  },
  {
    method: "POST",
    path: "/api/verify",
    role: "agent",
    // 200 for every verdict: FALSE and UNVERIFIABLE are answers, not failures of the request.
    handler: async (c, deps) => {
      const { claim } = await readJson(c, verifyBody);
      return c.json(await deps.governance.verifier.verify(claim, { by: c.principal!.name, source: "api" }));
    },
  },
];
