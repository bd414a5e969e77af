import { z } from "zod";

export const schema = z.strictObject({
  bot_token: z.string().regex(/^\d+:[\w-]+$/, "a bot token from @BotFather, like 123456:ABC-DEF..."),
  chat_id: z.union([z.string(), z.number()]).transform(String),
  approvers: z
    .array(z.number().int())
    .default([])
    .describe("Telegram user ids who may approve and reject; anyone else is refused."),
  api_root: z
    .url({ protocol: /^https?$/ })
    .default("https://api.telegram.org")
    .describe("A self-hosted Bot API server; by default the one at api.telegram.org."),
});
