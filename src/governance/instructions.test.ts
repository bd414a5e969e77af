import { describe, expect, it } from "vitest";
import { defaultInstructionSections } from "../config/governance.ts";
import { isVigilError } from "../core/errors.ts";
import { checkInstruction, isEmpty, maxInstructionBytes, sectionKey } from "./instructions.ts";

const three = ["DELIVERABLES", "SUCCESS_CRITERIA", "BOUNDARIES"];

describe("checkInstruction", () => {
  it("reads Markdown headings of any level, forgiving case, spaces and hyphens", () => {
    const md = [
      "# Work order: rotate the logs",
      "## Deliverables",
      "A logrotate config for /var/log/app.",
      "### Files",
      "- /etc/logrotate.d/app",
      "# SUCCESS CRITERIA",
      "Logs rotate daily.",
      "## Boundaries:",
      "Touch nothing outside /etc/logrotate.d.",
    ].join("\n");
    const r = checkInstruction(md, three);
    expect(r).toEqual({
      ok: true,
      missing: [],
      empty: [],
      sections: {
        // A deeper heading belongs to the section above it.
        DELIVERABLES: "A logrotate config for /var/log/app.\n### Files\n- /etc/logrotate.d/app",
        SUCCESS_CRITERIA: "Logs rotate daily.",
        BOUNDARIES: "Touch nothing outside /etc/logrotate.d.",
      },
    });
  });

  it("reads KEY: lines with the text on the same line or on the lines below", () => {
    const text = [
      "DELIVERABLES: the report",
      "Success-Criteria:",
      "  - every test passes",
      "  - API: answers 200",
      "NOTES: not a required section, and it ends the one above",
      "boundaries: staging only",
    ].join("\n");
    const r = checkInstruction(text, three);
    expect(r.ok).toBe(true);
    expect(r.sections).toEqual({
      DELIVERABLES: "the report",
      SUCCESS_CRITERIA: "- every test passes\n  - API: answers 200",
      BOUNDARIES: "staging only",
    });
  });

  it("reads bold labels, with the colon inside or outside and as list items", () => {
    const text = [
      "**Deliverables:** the report",
      "**Success criteria**: it renders",
      "- __Boundaries:__",
      "  read-only",
    ].join("\n");
    const r = checkInstruction(text, three);
    expect(r).toMatchObject({ ok: true, missing: [], empty: [] });
    expect(r.sections["BOUNDARIES"]).toBe("read-only");
  });

  it("reads YAML keys, lists and block text", () => {
    const text = [
      "deliverables:",
      "  - the report",
      "  - the tests",
      "success_criteria: |",
      "  all green",
      "boundaries: {hosts: [staging]}",
    ].join("\n");
    const r = checkInstruction(text, three);
    expect(r.ok).toBe(true);
    expect(r.sections["DELIVERABLES"]).toContain("the tests");
    expect(r.sections["SUCCESS_CRITERIA"]).toBe("all green");
    expect(r.sections["BOUNDARIES"]).toContain("staging");
  });

  it("reads JSON, which no line-by-line reading finds", () => {
    const json = JSON.stringify({ deliverables: "x", "Success Criteria": ["y"], BOUNDARIES: "" });
    const r = checkInstruction(json, three);
    expect(r).toEqual({
      ok: false,
      missing: [],
      empty: ["BOUNDARIES"],
      sections: { DELIVERABLES: "x", SUCCESS_CRITERIA: "- y", BOUNDARIES: "" },
    });
  });

  it("tells a missing section from an empty one, placeholders included", () => {
    const text = [
      "## Deliverables",
      "TBD",
      "## Success criteria",
      "",
      "<!-- say how we know it worked -->",
      "## Dependencies",
      "none",
    ].join("\n");
    const r = checkInstruction(text, [...three, "DEPENDENCIES"]);
    expect(r).toEqual({
      ok: false,
      missing: ["BOUNDARIES"],
      empty: ["DELIVERABLES", "SUCCESS_CRITERIA"],
      sections: {
        DELIVERABLES: "TBD",
        SUCCESS_CRITERIA: "<!-- say how we know it worked -->",
        DEPENDENCIES: "none",
      },
    });
  });

  it("checks the seeds' ten sections by default and any configured list", () => {
    const all = defaultInstructionSections.map((s) => `${s}: something real`).join("\n");
    expect(checkInstruction(all, defaultInstructionSections).ok).toBe(true);
    const r = checkInstruction(all, ["Rollback plan", "deliverables"]);
    expect(r.missing).toEqual(["Rollback plan"]);
    expect(r.sections).toEqual({ deliverables: "something real" });
    expect(checkInstruction("## Rollback plan\nrevert the tag\n", ["ROLLBACK_PLAN"]).ok).toBe(true);
  });

  it("falls back to the lines when the text is not valid YAML", () => {
    const r = checkInstruction("DELIVERABLES: step: one\nBOUNDARIES:\n", ["DELIVERABLES", "BOUNDARIES"]);
    expect(r).toEqual({
      ok: false,
      missing: [],
      empty: ["BOUNDARIES"],
      sections: { DELIVERABLES: "step: one", BOUNDARIES: "" },
    });
  });

  it("ignores headings inside code fences", () => {
    const text = "## Deliverables\n```\n## Boundaries\nnot a heading\n```\n";
    const r = checkInstruction(text, ["DELIVERABLES", "BOUNDARIES"]);
    expect(r.missing).toEqual(["BOUNDARIES"]);
    expect(r.sections["DELIVERABLES"]).toContain("not a heading");
  });

  it("finds nothing in plain prose, and says every section is missing", () => {
    const r = checkInstruction("Please fix the server, it is broken: thanks.", three);
    expect(r).toEqual({ ok: false, missing: three, empty: [], sections: {} });
  });

  it("refuses a work order over the size limit with PAYLOAD_TOO_LARGE", () => {
    const big = "x".repeat(maxInstructionBytes + 1);
    let err: unknown;
    try {
      checkInstruction(big, three);
    } catch (e) {
      err = e;
    }
    expect(isVigilError(err, "PAYLOAD_TOO_LARGE")).toBe(true);
    expect((err as Error).message).toMatch(/^instruction: 262145 bytes, over the 256 KB/);
  });
  it("reads a work order built to make a pattern go back over its lines, in one pass", () => {
    // Each took time quadratic (or worse) in its length before, with the agent's event loop held: a
    // heading followed by spaces did not finish in minutes, a line of dots took 108 s at 200 KB,
    // unclosed comments 11 s at 256 KB.
    // Now each takes milliseconds; the bound is the test's timeout.
    const n = maxInstructionBytes - 100;
    const hostile = [
      `# a${" ".repeat(n)}x`,
      `# a${"#".repeat(n)}x`,
      `DELIVERABLES:\nx${".".repeat(n)}x`,
      `DELIVERABLES:\n${"*".repeat(n)}x`,
      `${"\n".repeat(n)}x`,
      `A:${" ".repeat(n)}\u2028`,
      `DELIVERABLES:\n${"<!--".repeat(n / 4)}`,
      `DELIVERABLES:\n${"<!-- ".repeat(n / 5)}`,
      `DELIVERABLES:\n${"<!--\n".repeat(n / 5)}`,
    ];
    for (const text of hostile) expect(checkInstruction(text, three).ok).toBe(false);
    // What those lines are is still read: a heading with closing #s, a section after many blank lines.
    expect(checkInstruction(`## Deliverables ${"#".repeat(n / 2)}\nthe report`, ["DELIVERABLES"]).ok).toBe(
      true,
    );
    expect(checkInstruction(`${"\n".repeat(n)}DELIVERABLES: the report`, ["DELIVERABLES"]).ok).toBe(true);
    // A closed comment is still nothing; an unclosed one, and what follows it, is something.
    expect(checkInstruction(`DELIVERABLES: <!-- a -->${"<!--".repeat(n / 8)} -->`, ["DELIVERABLES"]).ok).toBe(
      false,
    );
    expect(checkInstruction(`DELIVERABLES: <!-- a --> <!-- b`, ["DELIVERABLES"]).ok).toBe(true);
  });
});

describe("section names and emptiness", () => {
  it("makes case, spaces, hyphens, underscores and numbering one name", () => {
    for (const n of ["success criteria", "SUCCESS_CRITERIA", "Success-Criteria", " 2. Success  criteria "]) {
      expect(sectionKey(n)).toBe("success_criteria");
    }
  });

  it("counts whitespace and placeholders as empty, and any answer as not", () => {
    for (const e of ["", "  \n ", "-", "n/a", "N/A.", "TBD", "- TBD", "**TODO**", "...", "<!-- x -->"]) {
      expect(isEmpty(e), JSON.stringify(e)).toBe(true);
    }
    for (const f of ["none", "no", "0", "see above", "- one item"]) {
      expect(isEmpty(f), JSON.stringify(f)).toBe(false);
    }
  });
});
