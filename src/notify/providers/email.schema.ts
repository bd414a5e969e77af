import { z } from "zod";

export const schema = z.strictObject({
  smtp: z
    .string()
    .regex(/^smtps?:\/\//, "an SMTP URL: smtp://user:pass@host:587 (STARTTLS) or smtps://host:465"),
  from: z.email(),
  to: z.array(z.email()).min(1),
});
