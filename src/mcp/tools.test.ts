import { describe, expect, it } from "vitest";
import type { ApiDeps } from "../api/context.ts";
import { Redactor } from "../core/redact.ts";
import { callTool, asAssistant } from "./server.ts";
import { tools } from "./tools.ts";

const tool = (name: string) => tools.find((t) => t.name === name)!;

/** Every schema node that takes a string or an object, walked through properties. */
function nodes(schema: Record<string, unknown>): Record<string, unknown>[] {
  const props = Object.values((schema.properties ?? {}) as Record<string, Record<string, unknown>>);
  return props.flatMap((p) => [p, ...nodes(p)]);
}

describe("the assistant's tools", () => {
  it("are the read tools, propose_action and the governance checks: nothing that decides or configures", () => {
    expect(tools.map((t) => t.name)).toEqual([
      "get_status",
      "list_incidents",
      "get_incident",
      "get_logs",
      "list_actions",
      "propose_action",
      "get_action_result",
      "verify_claim",
      "check_instruction",
    ]);
    for (const t of tools)
      expect(t.name).not.toMatch(/approve|reject|pause|resume|silence|config|reload|decide/);
    expect(tools.filter((t) => !t.readOnly).map((t) => t.name)).toEqual(["propose_action"]);
  });

  it("bound every string and every object they take, and take nothing undeclared", () => {
    for (const t of tools) {
      expect(t.inputSchema.additionalProperties, t.name).toBe(false);
      for (const n of nodes(t.inputSchema)) {
        if (n.type === "string") expect(n.maxLength, `${t.name}: ${JSON.stringify(n)}`).toBeGreaterThan(0);
        if (n.type === "object")
          expect(n.maxProperties, `${t.name}: ${JSON.stringify(n)}`).toBeGreaterThan(0);
      }
    }
  });

  it("an assistant acts as role agent whatever its token's role, under the token's name", () => {
    expect(asAssistant({ name: "olga", role: "operator" })).toEqual({ name: "olga", role: "agent" });
    expect(asAssistant({ name: "root", role: "admin" })).toEqual({ name: "root", role: "agent" });
  });
});

describe("calling a tool", () => {
  const secret = "hunter2-hunter2-hunter2";
  const redactor = new Redactor().addSecrets([secret]);
  const audited: { actor: string; subject: string; payload: unknown }[] = [];
  const deps = {
    targets: {
      logs: async (name: string, n: number) =>
        name === "app"
          ? [
              ...Array.from({ length: n + 5 }, (_, i) => `line ${i}`),
              "db password=own-env-pw",
              `key=${secret}`,
              "x".repeat(5_000),
            ]
          : undefined,
    },
    mcp: {
      version: "0.0.0",
      redact: (s: string) => redactor.redactString(s),
      called: async (by: { name: string }, subject: string, payload: unknown) => {
        audited.push({ actor: by.name, subject, payload });
      },
    },
    log: { error: () => undefined },
  } as unknown as ApiDeps;
  const by = { name: "claude", role: "agent" as const };

  it("get_logs: at most the lines asked for, secrets redacted, long lines cut", async () => {
    const r = await callTool(tool("get_logs"), { service: "app", lines: 3 }, deps, by);
    expect(r.isError).toBeUndefined();
    const { lines } = r.structuredContent as { lines: string[] };
    expect(lines).toHaveLength(3);
    // A credential the config does not hold (the service's own) is hidden by its shape.
    expect(lines[0]).toBe("db password=[REDACTED]");
    expect(lines[1]).toBe("key=[REDACTED]");
    expect(lines[2]).toBe(`${"x".repeat(1_000)}…`);
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(JSON.stringify(r)).not.toContain("own-env-pw");
  });

  it("a refusal is the tool's answer with isError, and is audited with its code and subject", async () => {
    audited.length = 0;
    const missing = await callTool(tool("get_logs"), { service: "nope" }, deps, by);
    expect(missing).toEqual({
      isError: true,
      content: [
        { type: "text", text: 'NOT_FOUND: no service named "nope"; logs are kept for services only' },
      ],
    });
    const bad = await callTool(tool("get_logs"), { service: "app", lines: 0 }, deps, by);
    expect(bad.content).toEqual([
      { type: "text", text: "VALIDATION_FAILED: get_logs: lines: a whole number from 1 to 500" },
    ]);
    expect(audited).toMatchObject([
      { actor: "claude", subject: "nope", payload: { tool: "get_logs", ok: false, error: "NOT_FOUND" } },
      {
        actor: "claude",
        subject: "get_logs",
        payload: { tool: "get_logs", ok: false, error: "VALIDATION_FAILED" },
      },
    ]);
  });
});
