import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers/tmp.ts";
import { loadConfig } from "../config/load.ts";
import { loadConfigIsolated } from "./config-loader.ts";

const examples = path.resolve(import.meta.dirname, "../../examples/vigil.yaml");

describe("loading the config in a child process", () => {
  it("gives exactly what loading it in-process gives, for the shipped example", async () => {
    const env = { ...process.env };
    const child = await loadConfigIsolated(examples, env);
    expect(child.ok).toBe(true);
    expect(child).toEqual(await loadConfig(examples, env));
  });

  it("interpolates ${VAR} from the environment it is given, and reports its secrets", async () => {
    const dir = tempDir();
    const file = path.join(dir, "vigil.yaml");
    fs.writeFileSync(
      file,
      `agent: { data_dir: ./data }
checks:
  api: { http: { url: "http://127.0.0.1:\${PORT}/health", headers: { authorization: "Bearer \${TOKEN}" } } }
`,
    );
    const env = { PORT: "8123", TOKEN: "s3cret-token-value" };
    const r = await loadConfigIsolated(file, env);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.config.checks.api).toMatchObject({ http: { url: "http://127.0.0.1:8123/health" } });
    expect(r.secrets).toContain("s3cret-token-value");
    expect(r).toEqual(await loadConfig(file, env));
  });

  it("returns every problem with its line, as the in-process load does", async () => {
    const dir = tempDir();
    const file = path.join(dir, "vigil.yaml");
    fs.writeFileSync(file, "checks:\n  a: { tcp: { port: 99999 } }\n  b: { every: 1s }\n");
    const r = await loadConfigIsolated(file, {});
    expect(r.ok).toBe(false);
    expect(r).toEqual(await loadConfig(file, {}));
    if (!r.ok) expect(r.problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it("says a missing file is missing", async () => {
    const r = await loadConfigIsolated("/nonexistent/vigil.yaml", {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toMatch(/no such file/);
  });
});
