import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { errorCatalog } from "./errors.ts";
import { errorReference } from "./error-reference.ts";

describe("error catalog", () => {
  it("maps every code to a 4xx/5xx status and an exit code of the contract", () => {
    for (const [code, spec] of Object.entries(errorCatalog)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect([1, 2, 3]).toContain(spec.exit);
      expect(spec.status === 200 || (spec.status >= 400 && spec.status < 600)).toBe(true);
    }
    expect(errorCatalog.AGENT_UNREACHABLE.exit).toBe(3);
    expect(errorCatalog.CONFIG_INVALID.exit).toBe(2);
    expect(errorCatalog.AUDIT_TAMPERED.exit).toBe(1);
  });

  it("README's error table is generated from the catalog (run: node scripts/docs.ts)", () => {
    const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = /<!-- error-codes:start -->\n([\s\S]*?)<!-- error-codes:end -->/.exec(readme)?.[1];
    expect(block).toBe(errorReference());
  });
});
