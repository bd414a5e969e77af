/**
 * The notification provider types, and which one a configured channel uses. Plain data, so the
 * daemon can read it without loading zod: only the config side (`schemas.ts`) holds the schemas.
 */
export const providerTypes = ["telegram", "email", "slack", "discord", "ntfy", "webhook"] as const;
export type ProviderType = (typeof providerTypes)[number];

/** A configured channel's provider type and settings: the config holds exactly one provider key per channel. */
export function channelSettings(channel: Partial<Record<ProviderType, unknown>>): {
  type: ProviderType;
  settings: never;
} {
  const type = providerTypes.find((t) => channel[t] !== undefined)!;
  return { type, settings: channel[type] as never };
}
