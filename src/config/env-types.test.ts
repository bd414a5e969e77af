import { describe, expect, it } from "vitest";
import { file, load, problems } from "../../test/helpers/config.ts";
import { loadFast, loadLocated } from "./load.ts";

const check = (failAfter: string) =>
  `checks:\n  web:\n    http: { url: "http://127.0.0.1:1/" }\n    fail_after: ${failAfter}\n`;

describe("config: ${VAR} where a boolean or a number is wanted", () => {
  it("reads true/false and numbers from the environment, on both load paths", () => {
    const text = `agent:\n  features:\n    remediation: \${AUTO_REMEDIATION_ENABLED}\n${check("${FAILS}")}`;
    const env = { AUTO_REMEDIATION_ENABLED: "false", FAILS: "5" };
    for (const loaded of [loadFast(text, file, env), loadLocated(text, file, env)]) {
      expect(loaded?.ok).toBe(true);
      if (!loaded?.ok) continue;
      expect(loaded.config.agent.features.remediation).toBe(false);
      expect(loaded.config.checks.web!.fail_after).toBe(5);
    }
    expect(
      load(`agent:\n  features:\n    remediation: \${AUTO}\n`, { AUTO: "true" }).config.agent.features
        .remediation,
    ).toBe(true);
  });

  it("types a default too: ${X:-false} with X unset", () => {
    expect(
      load("agent:\n  features:\n    remediation: ${X:-false}\n").config.agent.features.remediation,
    ).toBe(false);
  });

  it("keeps a string of digits a string where a string is wanted", () => {
    expect(load("agent:\n  name: ${NAME}\n", { NAME: "1234" }).config.agent.name).toBe("1234");
  });

  it("names the variable, never its value, when it holds no boolean or number", () => {
    expect(problems("agent:\n  features:\n    remediation: ${AUTO}\n", { AUTO: "yes-s3cr3t" })).toEqual([
      `${file}:3:18 agent.features.remediation: \${AUTO} must hold true or false here; set it to one of them`,
    ]);
    expect(problems(check("${FAILS}"), { FAILS: "five" })).toEqual([
      `${file}:4:17 checks.web.fail_after: \${FAILS} must hold a number here; set it to digits, such as 30`,
    ]);
  });

  it("still checks the typed value against the field's own rules", () => {
    expect(problems(check("${FAILS}"), { FAILS: "500" })[0]).toMatch(/checks\.web\.fail_after: .*100/);
  });

  it("leaves a quoted literal as the schema says: only the environment is typed", () => {
    expect(problems('agent:\n  features:\n    remediation: "true"\n')[0]).toMatch(
      /agent\.features\.remediation: .*boolean/,
    );
  });
});
