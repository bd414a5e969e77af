/** Every notification provider's config schema, by name: a new provider adds one line here. */
import * as discord from "./providers/discord.schema.ts";
import * as email from "./providers/email.schema.ts";
import * as ntfy from "./providers/ntfy.schema.ts";
import * as slack from "./providers/slack.schema.ts";
import * as telegram from "./providers/telegram.schema.ts";
import * as webhook from "./providers/webhook.schema.ts";

export const providerSchemas = {
  telegram: telegram.schema,
  email: email.schema,
  slack: slack.schema,
  discord: discord.schema,
  ntfy: ntfy.schema,
  webhook: webhook.schema,
} as const;
export type ProviderType = keyof typeof providerSchemas;
export const providerTypes = Object.keys(providerSchemas) as ProviderType[];

/** A configured channel's provider type and settings: the config holds exactly one provider key per channel. */
export function channelSettings(channel: Partial<Record<ProviderType, unknown>>): {
  type: ProviderType;
  settings: never;
} {
  const type = providerTypes.find((t) => channel[t] !== undefined)!;
  return { type, settings: channel[type] as never };
}
