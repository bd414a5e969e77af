/** Delivering providers by channel type. A provider not listed here is refused at delivery, by name. */
import type { Provider } from "../provider.ts";
import { webhookProvider } from "./webhook.ts";

export const providers: Record<string, Provider<never> | undefined> = {
  webhook: webhookProvider,
};
