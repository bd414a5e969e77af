import { z } from "zod";

export const schema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).default("https://ntfy.sh"),
  topic: z.string().regex(/^[\w-]{1,64}$/),
  token: z.string().optional(),
});
