import { describe, expect, it } from "vitest";
import { file, problems } from "../../test/helpers/config.ts";
import { configJsonSchema } from "./json-schema.ts";
import { planned, plannedAt, plannedMessage } from "./planned.ts";

/** Each planned key written the way the design shows it, and where the problem must point. */
const samples: Record<string, { yaml: string; at: string }> = {};

describe("config: what is planned is refused where it is written, never accepted and ignored", () => {
  it.each(planned.map((p) => [p.path.join("."), p] as const))(
    "%s: not supported by this version yet, at its line and column",
    (key, p) => {
      const sample = samples[key];
      if (!sample) throw new Error(`planned.ts lists ${key}: add a sample of it to this test`);
      const found = problems(sample.yaml);
      if (p.kind === "config key") {
        // The exact problem, and nothing else: the sample is otherwise a valid config.
        expect(found).toEqual([`${file}:${sample.at}: ${plannedMessage(p)}`]);
      } else {
        // A check type is refused by the probe registry or by planned.ts, whichever comes first.
        const at = `${file}:${sample.at}: `.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        expect(found).toContainEqual(
          expect.stringMatching(new RegExp(`^${at}.*not supported by this version yet`)),
        );
      }
    },
  );

  it("a config key the schema accepts says it is planned in its description, so the reference marks it", () => {
    for (const p of planned.filter((x) => x.kind === "config key")) {
      let node: unknown = configJsonSchema();
      for (const seg of p.path) {
        const n = node as { properties?: Record<string, unknown>; additionalProperties?: unknown };
        node = seg === "*" ? n.additionalProperties : n.properties?.[seg];
        if (node === undefined || typeof node !== "object") break;
      }
      if (node === undefined || typeof node !== "object") continue; // not in the schema: an unknown key
      expect((node as { description?: string }).description, p.path.join(".")).toMatch(
        /^Planned: not supported by this version yet\./,
      );
    }
  });

  it("finds a check type wherever a check is written, and nothing that only shares its name", () => {
    // any planned check type will do: each one is built and leaves the list in its time
    for (const p of planned.filter((x) => x.kind === "check type")) {
      expect(plannedAt(["checks", "db", p.path[0]!])?.what).toBe(p.what);
      expect(plannedAt(["services", "api", "health", p.path[0]!])?.what).toBe(p.what);
    }
    expect(plannedAt(["services", "api", "health", "container"])).toBeUndefined(); // built: a check type
    expect(plannedAt(["services", "api", "container"])).toBeUndefined(); // built: container services
    expect(plannedAt(["checks", "sql"])).toBeUndefined();
    expect(plannedAt(["actions", "sql"])).toBeUndefined();
    expect(plannedAt(["checks", "jobs"])).toBeUndefined();
  });
});
