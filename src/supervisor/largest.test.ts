import { describe, expect, it } from "vitest";
import { largestService } from "./largest.ts";

const MB = 1048576;

function services(pids: Record<string, number | undefined>) {
  return {
    names: () => Object.keys(pids),
    get: (name: string) => (name in pids ? { pid: pids[name] } : undefined),
  };
}

describe("the largest service", () => {
  it("is the running one whose group holds the most resident memory, in whole MB", () => {
    const rss: Record<number, number> = { 10: 120 * MB, 20: 300.4 * MB, 30: 80 * MB };
    const got = largestService(services({ api: 10, worker: 20, cron: 30 }), (pid) => rss[pid]!);
    expect(got).toEqual({ name: "worker", rssMb: 300 });
  });

  it("leaves out services that are not running", () => {
    const got = largestService(services({ api: undefined, worker: 20 }), () => 5 * MB);
    expect(got).toEqual({ name: "worker", rssMb: 5 });
  });

  it("is undefined when nothing runs", () => {
    expect(largestService(services({ api: undefined }), () => MB)).toBeUndefined();
    expect(largestService(services({}), () => MB)).toBeUndefined();
  });

  it("the first named wins a tie", () => {
    expect(largestService(services({ a: 1, b: 2 }), () => 7 * MB)).toEqual({ name: "a", rssMb: 7 });
  });
});
