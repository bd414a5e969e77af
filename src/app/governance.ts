/**
 * Governance for AI assistants, wired: the instruction check the API answers (audited with who
 * asked), read against the config as it is now so a reload applies at once.
 */
import type { GovernanceApi } from "../api/context.ts";
import { checkInstruction } from "../governance/instructions.ts";
import type { Core, Wiring } from "./wiring.ts";

export function governanceApi({ core: { bus }, config }: Wiring & { core: Core }): GovernanceApi {
  return {
    check: async (instruction, by) => {
      const r = checkInstruction(instruction, config().governance.instruction_sections);
      // What the order lacks, never its text: a work order may carry anything.
      await bus.emit(
        "instruction.checked",
        "governance",
        { ok: r.ok, missing: r.missing, empty: r.empty },
        by.name,
      );
      return r;
    },
  };
}
