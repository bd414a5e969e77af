/**
 * What the config side lends a plug-in to describe its settings: zod and Vigil's primitives. A
 * plug-in's `schema(kit)` is called only here, so the daemon, which imports the plug-ins to run
 * them, never loads zod (the config is validated in a child process, `load-child.ts`).
 */
import { z } from "zod";
import * as primitives from "./primitives.ts";

export const kit = { z, ...primitives };

/** The argument of every plug-in's `schema()`. */
export type SchemaKit = typeof kit;
