/** Every notification provider's config schema, by name: a new provider adds one line here and one in provider-types.ts. */
import type { z } from "zod";
import * as discord from "./providers/discord.schema.ts";
import * as email from "./providers/email.schema.ts";
import * as ntfy from "./providers/ntfy.schema.ts";
import * as slack from "./providers/slack.schema.ts";
import * as telegram from "./providers/telegram.schema.ts";
import * as webhook from "./providers/webhook.schema.ts";
import type { ProviderType } from "./provider-types.ts";

export const providerSchemas = {
  telegram: telegram.schema,
  email: email.schema,
  slack: slack.schema,
  discord: discord.schema,
  ntfy: ntfy.schema,
  webhook: webhook.schema,
} as const satisfies Record<ProviderType, z.ZodType>;
