import { z } from "zod";
import { duration, name } from "../config/primitives.ts";

/** Without `service`, the host's memory; with it, that managed service's process group. */
export const schema = z.strictObject({
  service: name.optional(),
  timeout: duration.optional(),
});
