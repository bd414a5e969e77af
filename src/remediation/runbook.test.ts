import { describe, expect, it } from "vitest";
import type { VigilConfig } from "../config/schema.ts";
import { failureClasses } from "../probes/probe.ts";
import { runbookOf } from "./runbook.ts";

type Runbooks = Pick<VigilConfig, "services" | "checks">;
const config = (c: { services?: Record<string, unknown>; checks?: Record<string, unknown> }) =>
  ({ services: c.services ?? {}, checks: c.checks ?? {} }) as unknown as Runbooks;

const notPort = failureClasses.filter((c) => c !== "port_in_use");

describe("a target's runbook", () => {
  it("a check's steps are its remediate list, names and objects alike", () => {
    const c = config({
      checks: {
        disk: {
          remediate: ["clean-logs", { action: "reindex", params: { table: "jobs" }, when: ["timeout"] }],
        },
      },
    });
    expect(runbookOf(c, "disk")).toEqual([
      { action: "clean-logs", params: {} },
      { action: "reindex", params: { table: "jobs" }, when: ["timeout"] },
    ]);
  });

  it("an unknown target has no steps", () => {
    expect(runbookOf(config({}), "nobody")).toEqual([]);
  });

  it("a service's plain restart skips a taken port, and free-port answers it", () => {
    const c = config({ services: { api: { port: 8001, remediate: ["restart"] } } });
    expect(runbookOf(c, "api")).toEqual([
      { action: "restart", params: {}, when: notPort },
      { action: "free-port", params: {}, when: ["port_in_use"] },
    ]);
  });

  it("a restart with its own when keeps it", () => {
    const c = config({
      services: {
        api: { port: undefined, remediate: [{ action: "restart", params: {}, when: ["timeout"] }] },
      },
    });
    expect(runbookOf(c, "api")).toEqual([{ action: "restart", params: {}, when: ["timeout"] }]);
  });

  it("no free-port for a service without a port, nor a second one when the runbook names it", () => {
    expect(runbookOf(config({ services: { api: { remediate: ["restart"] } } }), "api")).toEqual([
      { action: "restart", params: {}, when: notPort },
    ]);
    const named = config({ services: { api: { port: 8001, remediate: ["free-port"] } } });
    expect(runbookOf(named, "api")).toEqual([{ action: "free-port", params: {} }]);
  });
});
