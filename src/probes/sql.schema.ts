import { z } from "zod";
import { duration } from "../config/primitives.ts";

export const schema = z.strictObject({
  url: z.string().regex(/^(postgres(ql)?|sqlite):/, "a postgres://user@host/db or sqlite:/path URL"),
  query: z.string().min(1),
  timeout: duration.optional(),
});
