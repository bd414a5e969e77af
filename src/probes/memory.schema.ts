import { z } from "zod";
import { duration, name } from "../config/primitives.ts";

export const provides = ["USED_PERCENT", "FREE_BYTES", "TOTAL_BYTES", "RSS_MB", "CPU_PERCENT"] as const;

/** Without `service`, the host's memory; with it, that managed service's process group. */
export const schema = z.strictObject({
  service: name.optional(),
  timeout: duration.optional(),
});
