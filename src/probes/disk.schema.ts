import { z } from "zod";
import { duration, filePath } from "../config/primitives.ts";

export const provides = ["USED_PERCENT", "FREE_BYTES", "TOTAL_BYTES", "INODES_USED_PERCENT"] as const;

export const schema = z.strictObject({
  path: filePath.prefault("/"),
  timeout: duration.optional(),
});
