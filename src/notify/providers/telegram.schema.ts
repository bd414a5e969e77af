import { z } from "zod";

export const schema = z.strictObject({
  bot_token: z.string().regex(/^\d+:[\w-]+$/, "a bot token from @BotFather, like 123456:ABC-DEF..."),
  chat_id: z.union([z.string(), z.number()]).transform(String),
  approvers: z
    .array(z.number().int())
    .default([])
    .describe("Telegram user ids who may approve, reject, pause and resume; anyone else is refused."),
  api_root: z
    .url({ protocol: /^https?$/ })
    .default("https://api.telegram.org")
    // grammY refuses a root with a trailing slash; people paste one.
    .transform((u) => u.replace(/\/+$/, ""))
    .describe("A self-hosted Bot API server; by default the one at api.telegram.org."),
  commands: z
    .boolean()
    .default(true)
    .describe(
      "Answer /status, /pending, /approve, /reject, /pause, /resume and the Approve / Reject buttons (long polling); false: send only.",
    ),
});
