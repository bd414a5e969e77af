import { z } from "zod";
import { duration, filePath } from "../config/primitives.ts";

export const schema = z
  .strictObject({
    name: z.string().min(1).optional().describe("The process name as in /proc/<pid>/comm."),
    pidfile: filePath.optional(),
    timeout: duration.optional(),
  })
  .refine((p) => (p.name === undefined) !== (p.pidfile === undefined), {
    message: "give exactly one of name or pidfile",
  });
