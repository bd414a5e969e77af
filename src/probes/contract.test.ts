/**
 * The contract every check type keeps, run for each probe found in this folder: nothing to list by
 * hand, so a new `<type>.ts` is held to it the moment it exists. A reading or an error with a
 * failure class, never a throw; a prompt return when the check's signal aborts; settings refused
 * when unknown; defaults that read only what the probe provides.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseCondition } from "../conditions/index.ts";
import { kit } from "../config/kit.ts";
import { pluginFiles } from "../core/plugins.ts";
import { runProbe } from "../../test/helpers/probe.ts";
import { probes } from "./index.ts";
import { failureClasses } from "./probe.ts";

const types = probes.names();

describe("the probe registry", () => {
  it("holds every file of the folder but its infrastructure, each by its file name", () => {
    const files = pluginFiles({
      from: new URL("./index.ts", import.meta.url).href,
      infrastructure: ["index", "probe"],
    });
    expect(files.map((f) => path.basename(f, ".ts"))).toEqual(types);
    expect(types).toEqual(
      expect.arrayContaining(["http", "tcp", "command", "disk", "memory", "process", "heartbeat"]),
    );
  });
});

describe.each(types)("the %s probe", (type) => {
  const probe = probes.get(type)!;
  const schema = probe.schema(kit);

  it("says what it provides, in placeholder names, and its default conditions read only those", () => {
    expect(probe.provides.length).toBeGreaterThan(0);
    for (const p of probe.provides) expect(p).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(probe.description.length).toBeGreaterThan(10);
    for (const text of probe.defaultExpect) {
      const parsed = parseCondition(text);
      if (!parsed.ok) throw new Error(`${text}: ${parsed.message}`);
      for (const side of [parsed.condition.left, parsed.condition.right])
        if (side.kind === "placeholder") expect(probe.provides).toContain(side.name);
    }
  });

  it("parses its example, refuses an unknown setting, and has a JSON Schema", () => {
    expect(schema.safeParse(probe.example).success).toBe(true);
    const unknown = schema.safeParse({ ...probe.example, surely_not_a_setting: 1 });
    expect(unknown.success).toBe(false);
    expect(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" })).toHaveProperty("type", "object");
  });

  it("plans what doctor does with its example", () => {
    const plan = probe.doctor(schema.parse(probe.example) as never);
    const shape = "try" in plan ? "try" : "program" in plan ? "program" : "skip" in plan ? "skip" : "none";
    expect(shape).not.toBe("none");
    if ("skip" in plan) expect(plan.skip.length).toBeGreaterThan(10);
  });

  it("never throws, and returns promptly with a classified error or a reading on an aborted signal", async () => {
    const { outcome, ms } = await runProbe(type, probe.example, { abortAfterMs: 0 });
    expect(typeof outcome.values).toBe("object");
    if (outcome.error) {
      expect(failureClasses).toContain(outcome.error.class);
      expect(outcome.error.message.length).toBeGreaterThan(0);
    }
    expect(ms).toBeLessThan(1_500);
  });
});
