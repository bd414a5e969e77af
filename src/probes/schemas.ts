/**
 * Every check type's config schema, by name. The config schema is built from this list; a check
 * type whose probe is not registered in `index.ts` is refused at load, by name. What each type
 * measures (its placeholders) is the probe's own `provides`: only the config side loads zod.
 */
import type { z } from "zod";
import * as command from "./command.schema.ts";
import * as container from "./container.schema.ts";
import * as disk from "./disk.schema.ts";
import * as heartbeat from "./heartbeat.schema.ts";
import * as http from "./http.schema.ts";
import * as memory from "./memory.schema.ts";
import * as processSchema from "./process.schema.ts";
import * as sql from "./sql.schema.ts";
import * as tcp from "./tcp.schema.ts";

export interface ProbeSchema {
  schema: z.ZodType;
}

export const probeSchemas = {
  http,
  tcp,
  command,
  disk,
  memory,
  process: processSchema,
  heartbeat,
  container,
  sql,
} as const satisfies Record<string, ProbeSchema>;

export type ProbeType = keyof typeof probeSchemas;
export const probeTypes = Object.keys(probeSchemas) as ProbeType[];
