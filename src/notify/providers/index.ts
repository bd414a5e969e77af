/**
 * The provider registry, found rather than listed: every `<type>.ts` in this folder is a provider
 * (core/plugins.ts). The files are small; what is heavy (grammY, nodemailer) each loads inside
 * `deliver`, so an agent without Telegram or email channels never carries it.
 */
import { discoverPlugins, pluginIn } from "../../core/plugins.ts";
import { incompleteProvider, type Provider } from "../provider.ts";

export const providers = await discoverPlugins<Provider<never>>({
  kind: "provider",
  from: import.meta.url,
  infrastructure: ["index"],
  incomplete: incompleteProvider,
});

/** A channel's provider type, its provider and its settings: a channel holds exactly one provider key. */
export function providerOf(channel: object): { type: string; provider: Provider<never>; settings: never } {
  const found = pluginIn(providers, channel);
  if (!found)
    throw new Error(`a channel without a provider passed validation: ${Object.keys(channel).join(", ")}`);
  return { type: found.type, provider: found.plugin, settings: found.settings };
}
