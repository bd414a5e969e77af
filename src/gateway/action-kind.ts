/**
 * The action-kind contract: what a declared action does (`run` a program, make an `http` request,
 * `cleanup` old files ...). A kind is one file in kinds/, `<kind>.ts`, whose default export is
 * `defineActionKind({...})` with its settings' schema and its `perform`; kinds/index.ts finds the
 * files and `kinds/contract.test.ts` holds every one to this contract. The gateway decides whether
 * a request runs (risk, approvals, capability); a kind only performs, bounded by the signal and the
 * declaration's timeout, and never throws: a failure is a result with `ok: false`.
 */
import type { z } from "zod";
import type { SchemaKit } from "../config/kit.ts";
import type { ActionConfig } from "../config/schema.ts";
import type { Clock } from "../core/clock.ts";
import { missingFields } from "../core/plugins.ts";
import type { RunResult } from "./types.ts";

export interface PerformContext {
  /** The whole declaration: its timeout, env, cwd and the rest that every kind shares. */
  decl: ActionConfig;
  /** The validated parameters, each one literal value. */
  params: Record<string, string>;
  dryRun: boolean;
  /** Aborted when the agent stops. */
  signal: AbortSignal;
  clock: Clock;
  /** Working folder of actions that name none (the config file's folder). */
  defaultCwd: string;
  /** Bytes of output a result keeps. */
  outputCap: number;
}

/** What `vigil doctor` checks of a declared action of this kind, without running it. */
export type ActionDoctorPlan =
  | { program: { argv: string[]; cwd?: string; env: Record<string, string>; field: string } }
  | { reach: { url: string; field: string } }
  | {
      folders: {
        paths: string[];
        field: string;
        writable: boolean;
        /** The field holds a single path (`backup.to`), not a list. */
        one?: boolean;
        /** The action creates a missing folder: a writable parent is enough. */
        created?: boolean;
        /** Programs the action runs besides (`pg_dump`), looked for on PATH; `field` is what needs them. */
        programs?: { name: string; field: string }[];
      };
    }
  | { skip: string };

export interface ActionKind<C = unknown> {
  /** The kind: the key in an action's declaration, and the file's name. */
  readonly type: string;
  readonly description: string;
  /** Its settings, built with the kit the config side lends; the daemon never calls it. */
  schema(kit: SchemaKit): z.ZodType;
  /** Settings that are valid; the contract suite performs a dry run or a bounded run on them. */
  readonly example: unknown;
  /** Whether `dry_run: true` shows what it would do without doing it. */
  readonly dryRun: boolean;
  doctor(config: C, decl: ActionConfig): ActionDoctorPlan;
  perform(config: C, ctx: PerformContext): Promise<RunResult>;
}

/** Declares an action kind with its settings typed from its own schema. */
export function defineActionKind<S extends z.ZodType>(
  kind: { schema(kit: SchemaKit): S } & Omit<ActionKind<z.output<S>>, "schema">,
): Omit<ActionKind<z.output<S>>, "schema"> & { schema(kit: SchemaKit): S } {
  return kind;
}

/** Why a module's default export is not a complete action kind (for discovery), or undefined. */
export function incompleteActionKind(p: Record<string, unknown>): string | undefined {
  const missing = missingFields(p, {
    description: "string",
    schema: "function",
    doctor: "function",
    perform: "function",
  });
  if (missing) return missing;
  if (p.example === undefined) return "it lacks example";
  return typeof p.dryRun === "boolean" ? undefined : "it lacks dryRun (boolean)";
}
