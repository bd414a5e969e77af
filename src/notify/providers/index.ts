/**
 * Delivering providers by channel type. Each is loaded the first time a channel of its type
 * delivers: grammY and nodemailer are ~22 MB of the daemon's RSS (BENCHMARKS.md), which an agent
 * without Telegram or email channels should not carry.
 */
import type { Delivery, Outgoing, Provider } from "../provider.ts";
import type { ProviderType } from "../provider-types.ts";

function lazy(type: string, load: () => Promise<Provider<never>>): Provider<never> {
  let loaded: Promise<Provider<never>> | undefined;
  return {
    type,
    async deliver(cfg: never, n: Outgoing, opts: { timeoutMs: number; now: number }): Promise<Delivery> {
      loaded ??= load();
      return (await loaded).deliver(cfg, n, opts);
    },
  };
}

export const providers: Record<ProviderType, Provider<never>> = {
  webhook: lazy("webhook", async () => (await import("./webhook.ts")).webhookProvider),
  slack: lazy("slack", async () => (await import("./slack.ts")).slackProvider),
  discord: lazy("discord", async () => (await import("./discord.ts")).discordProvider),
  ntfy: lazy("ntfy", async () => (await import("./ntfy.ts")).ntfyProvider),
  email: lazy("email", async () => (await import("./email.ts")).emailProvider),
  telegram: lazy("telegram", async () => (await import("./telegram.ts")).telegramProvider),
};
