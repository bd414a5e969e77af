/**
 * The probe registry, found rather than listed: every `<type>.ts` in this folder is a check type
 * (core/plugins.ts). Importing this module imports them all, once, when the agent or the config
 * loader starts.
 */
import { discoverPlugins, pluginIn } from "../core/plugins.ts";
import { incompleteProbe, type Probe } from "./probe.ts";

export const probes = await discoverPlugins<Probe<never>>({
  kind: "probe",
  from: import.meta.url,
  infrastructure: ["index", "probe"],
  incomplete: incompleteProbe,
});

/** A check's type, its probe and its settings: a check holds exactly one type's key (config/schema.ts). */
export function probeOf(check: object): { type: string; probe: Probe<never>; settings: never } | undefined {
  const found = pluginIn(probes, check);
  return found && { type: found.type, probe: found.plugin, settings: found.settings };
}
