/** Delivering providers by channel type. A provider not listed here is refused at delivery, by name. */
import type { Provider } from "../provider.ts";
import { discordProvider } from "./discord.ts";
import { emailProvider } from "./email.ts";
import { ntfyProvider } from "./ntfy.ts";
import { slackProvider } from "./slack.ts";
import { telegramProvider } from "./telegram.ts";
import { webhookProvider } from "./webhook.ts";

export const providers: Record<string, Provider<never> | undefined> = {
  webhook: webhookProvider,
  slack: slackProvider,
  discord: discordProvider,
  ntfy: ntfyProvider,
  email: emailProvider,
  telegram: telegramProvider,
};
