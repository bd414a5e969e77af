/**
 * The contract every action kind keeps, run for each kind found in this folder: its example is
 * valid settings with a JSON Schema, doctor has a plan for it, and `perform` never throws and comes
 * back promptly when the agent is stopping (its signal already aborted).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { kit } from "../../config/kit.ts";
import type { ActionConfig } from "../../config/schema.ts";
import { systemClock } from "../../core/clock.ts";
import { pluginFiles } from "../../core/plugins.ts";
import { actionKinds } from "./index.ts";

const decl = {
  risk: "auto",
  timeout: 2_000,
  env: {},
  params: {},
  approvals: 1,
  agent_auto: false,
} as unknown as ActionConfig;

describe("the action-kind registry", () => {
  it("holds every file of the folder but its index, each by its file name", () => {
    const files = pluginFiles({
      from: new URL("./index.ts", import.meta.url).href,
      infrastructure: ["index"],
    });
    expect(files.map((f) => path.basename(f, ".ts"))).toEqual(actionKinds.names());
    expect(actionKinds.names()).toEqual(expect.arrayContaining(["run", "http", "cleanup"]));
  });
});

describe.each(actionKinds.names())("the %s action kind", (type) => {
  const kind = actionKinds.get(type)!;
  const schema = kind.schema(kit);

  it("parses its example and has a JSON Schema", () => {
    expect(schema.safeParse(kind.example).success).toBe(true);
    expect(kind.description.length).toBeGreaterThan(10);
    expect(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })).toBeTypeOf("object");
  });

  it("has a doctor plan for its example", () => {
    const plan = kind.doctor(schema.parse(kind.example) as never, decl);
    expect(["program", "reach", "folders", "skip"].some((k) => k in plan)).toBe(true);
  });

  it("never throws, and returns promptly with a result when the agent is stopping", async () => {
    const stopping = new AbortController();
    stopping.abort();
    const started = performance.now();
    const result = await kind.perform(schema.parse(kind.example) as never, {
      decl,
      params: {},
      dryRun: kind.dryRun,
      signal: stopping.signal,
      clock: systemClock,
      defaultCwd: process.cwd(),
      outputCap: 1024,
    });
    expect(typeof result.ok).toBe("boolean");
    expect(result.duration_ms).toBeGreaterThanOrEqual(0);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
