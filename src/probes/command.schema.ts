import { z } from "zod";
import { argv, duration, envMap, filePath } from "../config/primitives.ts";

export const provides = ["EXIT_CODE", "STDOUT", "STDERR", "RESPONSE_TIME"] as const;

export const schema = z.strictObject({
  run: argv,
  cwd: filePath.optional(),
  env: envMap.prefault({}),
  timeout: duration.optional(),
});
