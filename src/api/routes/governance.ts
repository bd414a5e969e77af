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
];
