import { z } from "zod";
import { duration, filePath } from "../config/primitives.ts";

export const schema = z.strictObject({
  path: filePath.prefault("/"),
  timeout: duration.optional(),
});
