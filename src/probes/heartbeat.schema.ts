import { z } from "zod";
import { duration } from "../config/primitives.ts";

/** Pushed: `POST /api/heartbeat/<check>`, with this token or an operator's. */
export const schema = z.strictObject({
  within: duration,
  token: z.string().min(16, "at least 16 characters; generate one with `openssl rand -hex 24`").optional(),
  timeout: duration.optional(),
});
