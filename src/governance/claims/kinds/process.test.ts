import { describe, expect, it } from "vitest";
import { checkClaim } from "../index.ts";
import { claimSources, processNamed } from "../../../../test/helpers/claim-sources.ts";
import { until } from "../../../../test/helpers/poll.ts";

const check = (claim: string) => checkClaim(claim, claimSources(), { timeoutMs: 5_000 });
const tag = () => Math.random().toString(36).slice(2, 7);

describe("process claims, against real processes", () => {
  it("a process that runs is running, by comm; once killed it is not", async () => {
    const name = `vclaim-${tag()}`;
    const child = await processNamed(name);
    const v = await check(`Process ${name} is running`);
    expect(v.verdict).toBe("TRUE");
    expect(v.checks[0]).toMatchObject({ what: `process ${name}`, expected: "running", ok: true });
    expect(v.checks[0]!.observed).toContain(`pid ${child.pid}`);
    expect((await check(`${name} is not running`)).verdict).toBe("FALSE");
    expect((await check(`I stopped ${name}`)).verdict).toBe("FALSE");
    child.kill("SIGKILL");
    await until("the process gone", async () =>
      (await check(`${name} is not running`)).verdict === "TRUE" ? true : undefined,
    );
    const gone = await check(`I've started ${name}`);
    expect(gone.verdict).toBe("FALSE");
    expect(gone.checks[0]!.observed).toBe(`no process named ${name}`);
  });

  it("finds a name longer than comm's 15 characters by argv[0], and not by a shared prefix", async () => {
    const name = `vigil-claimtest-${tag()}-long`;
    await processNamed(name);
    expect((await check(`${name} is running`)).verdict).toBe("TRUE");
    // comm is the first 15 characters of both; argv[0] tells them apart.
    expect((await check(`${name.slice(0, -1)}x is running`)).verdict).toBe("FALSE");
  });

  it("matches the name in any case; a name of its family running is UNVERIFIABLE, not TRUE nor FALSE", async () => {
    const name = `vclaim-${tag()}`;
    await processNamed(`${name}-server`);
    expect((await check(`${name.toUpperCase()}-SERVER is running`)).verdict).toBe("TRUE");
    const kin = await check(`${name} has been restarted`);
    expect(kin.verdict).toBe("UNVERIFIABLE");
    expect(kin.evidence).toContain(`no process named ${name}, but ${name}-server runs`);
  });

  it("reads a status line, a 'Verified that' opener and 'worker process'", async () => {
    const name = `vclaim-${tag()}`;
    const child = await processNamed(name);
    for (const claim of [
      `${name}: running`,
      `Verified that ${name} is running.`,
      `The ${name} worker process is up`,
    ])
      expect((await check(claim)).verdict, claim).toBe("TRUE");
    expect((await check(`${name}: not running`)).verdict).toBe("FALSE");
    child.kill("SIGKILL");
    await until("the process gone", async () =>
      (await check(`${name}: stopped`)).verdict === "TRUE" ? true : undefined,
    );
    expect((await check(`${name}: running`)).verdict).toBe("FALSE");
    expect((await check(`The ${name} worker process is up`)).verdict).toBe("FALSE");
    // A word of the report before the colon is no process: nothing read, not a FALSE alarm.
    expect((await check("tests: running")).verdict).toBe("UNVERIFIABLE");
  });

  it("a process that never ran is not running; an activity is not a process", async () => {
    expect((await check(`process vclaim-never-${tag()} is running`)).verdict).toBe("FALSE");
    const tests = await check("the tests for nginx are running");
    expect(tests.verdict).toBe("UNVERIFIABLE");
    expect(tests.evidence).toBe("no check for 'the tests for nginx are running'");
  });
});
