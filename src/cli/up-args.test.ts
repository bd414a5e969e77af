import path from "node:path";
import { describe, expect, it } from "vitest";
import { configPath, plainUp } from "./up-args.ts";

describe("the plain forms of vigil up", () => {
  it("takes up with no option, -c FILE, --config FILE and --config=FILE", () => {
    expect(plainUp(["up"])).toEqual({ config: undefined });
    expect(plainUp(["up", "-c", "a.yaml"])).toEqual({ config: "a.yaml" });
    expect(plainUp(["up", "--config", "a.yaml"])).toEqual({ config: "a.yaml" });
    expect(plainUp(["up", "--config=a.yaml"])).toEqual({ config: "a.yaml" });
  });

  it("leaves everything else to the full CLI", () => {
    for (const argv of [
      [],
      ["status"],
      ["up", "--help"],
      ["up", "-h"],
      ["up", "-c"],
      ["up", "-c", ""],
      ["up", "-c", "--help"],
      ["up", "--config="],
      ["up", "-ca.yaml"],
      ["up", "-c", "a.yaml", "extra"],
      ["up", "--config=a.yaml", "extra"],
      ["up", "extra"],
    ]) {
      expect(plainUp(argv), argv.join(" ")).toBeUndefined();
    }
  });

  it("finds the config at -c, else $VIGIL_CONFIG, else ./vigil.yaml", () => {
    expect(configPath("x.yaml", { VIGIL_CONFIG: "/etc/v.yaml" })).toBe(path.resolve("x.yaml"));
    expect(configPath(undefined, { VIGIL_CONFIG: "/etc/v.yaml" })).toBe("/etc/v.yaml");
    expect(configPath(undefined, {})).toBe(path.resolve("vigil.yaml"));
  });
});
