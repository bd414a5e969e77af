import { z } from "zod";
import { duration } from "../config/primitives.ts";

export const schema = z.strictObject({
  name: z.string().min(1),
  timeout: duration.optional(),
});
