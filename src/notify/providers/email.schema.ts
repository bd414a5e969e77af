import { z } from "zod";
import { filePath } from "../../config/primitives.ts";

export const schema = z.strictObject({
  smtp: z
    .string()
    .regex(/^smtps?:\/\//, "an SMTP URL: smtp://user:pass@host:587 (STARTTLS) or smtps://host:465"),
  from: z.email(),
  to: z.array(z.email()).min(1),
  /** For a server whose certificate comes from a private CA: that CA, as PEM; read at each delivery. */
  ca_file: filePath
    .optional()
    .describe(
      "A PEM file of a private CA to trust for the SMTP server; relative to the config file's folder.",
    ),
});
