import { z } from "zod";
import { duration } from "../config/primitives.ts";

export const provides = ["RUNNING", "HEALTH", "RESTARTS", "EXIT_CODE"] as const;

export const schema = z.strictObject({
  name: z.string().min(1),
  timeout: duration.optional(),
});
