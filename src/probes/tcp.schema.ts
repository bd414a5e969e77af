import { z } from "zod";
import { duration, port } from "../config/primitives.ts";

export const schema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port,
  timeout: duration.optional(),
});
