/**
 * The README's tables of check types, providers, action kinds, built-in actions and claim kinds, generated from
 * the plug-ins themselves (`node scripts/docs.ts`; a test keeps them fresh): a new plug-in file
 * appears in the docs without anyone writing it there.
 */
import { builtinActions } from "../gateway/builtins.ts";
import { actionKinds } from "../gateway/kinds/index.ts";
import { kindsInOrder } from "../governance/claims/kinds/index.ts";
import { providers } from "../notify/providers/index.ts";
import { probes } from "../probes/index.ts";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const table = (head: string[], rows: string[][]) =>
  `${[head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`;

export function checkTypesReference(): string {
  return table(
    ["check type", "provides", "default expect", "what it does"],
    probes
      .entries()
      .map(([type, p]) => [
        `\`${type}\``,
        p.provides.map((x) => `\`[${x}]\``).join(" "),
        p.defaultExpect.map((c) => `\`${cell(c)}\``).join(", ") || "—",
        cell(p.description),
      ]),
  );
}

export function providersReference(): string {
  return table(
    ["provider", "secret settings", "what it does"],
    providers
      .entries()
      .map(([type, p]) => [
        `\`${type}\``,
        p.secrets.map((s) => `\`${s}\``).join(", ") || "—",
        cell(p.description),
      ]),
  );
}

export function actionKindsReference(): string {
  return table(
    ["kind", "dry run", "what it does"],
    actionKinds.entries().map(([type, k]) => [`\`${type}\``, k.dryRun ? "yes" : "no", cell(k.description)]),
  );
}

export function builtinActionsReference(): string {
  return table(
    ["built-in action", "risk", "target", "what it does"],
    builtinActions.map((b) => [
      `\`${b.name}\``,
      `\`${b.risk}\``,
      b.needs_target ? "the service to act on (required)" : "optional: why it runs",
      cell(b.description),
    ]),
  );
}

/** What claims each claim kind reads, in the order a part of a claim is offered to them. */
export function claimKindsReference(): string {
  return table(
    ["claim kind", "what it looks at", "claims it reads (examples)"],
    kindsInOrder.map((k) => [
      `\`${k.type}\``,
      cell(k.description),
      k.examples.map((e) => `\`${cell(e)}\``).join(" · "),
    ]),
  );
}

/** Every generated block of plug-in tables, by its README marker name. */
export const pluginBlocks: Record<string, () => string> = {
  "check-types": checkTypesReference,
  providers: providersReference,
  "action-kinds": actionKindsReference,
  "builtin-actions": builtinActionsReference,
  "claim-kinds": claimKindsReference,
};
