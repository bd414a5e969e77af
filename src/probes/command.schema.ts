import { z } from "zod";
import { argv, duration, envMap, filePath } from "../config/primitives.ts";

export const schema = z.strictObject({
  run: argv,
  cwd: filePath.optional(),
  env: envMap.prefault({}),
  timeout: duration.optional(),
});
