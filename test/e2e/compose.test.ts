/**
 * A Compose project watched by one `compose:` check on the real agent and the real engine:
 * each container its own target `prd/<service>`; one stopped makes `/ops-report` 503 naming it, and
 * 200 again once it runs; a container removed stops being a target; the engine going away is
 * "cannot be checked", naming its socket, with the agent still answering.
 */
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, stopCleanly, type RunningAgent } from "../helpers/agent.ts";
import { engineProxy, throwaway, uniqueName } from "../helpers/engine.ts";
import { until } from "../helpers/poll.ts";
import { tempDir } from "../helpers/tmp.ts";

interface Target {
  name: string;
  kind: string;
  state: string;
  last_result: { ok: boolean; failure_class?: string; explanation: string } | null;
}
interface Report {
  overall_ok: boolean;
  targets: { name: string; state: string }[];
  issues: string[];
}

let agent: RunningAgent | undefined;
afterEach(async () => {
  await stopCleanly(agent);
  agent = undefined;
});

const targets = async (a: RunningAgent) =>
  ((await (await api(a, "/api/targets")).json()) as { targets: Target[] }).targets;
const report = async (a: RunningAgent) => {
  const res = await api(a, "/ops-report");
  return { status: res.status, body: (await res.json()) as Report };
};

function member(project: string, service: string) {
  return throwaway({
    name: uniqueName(`${project}-${service}`),
    StopSignal: "SIGKILL", // sleep as PID 1 ignores SIGTERM: a restart would wait out its 10 s
    Labels: { "com.docker.compose.project": project, "com.docker.compose.service": service },
  });
}

async function watch(project: string, host: string): Promise<RunningAgent> {
  return startAgent(`agent: { listen: "127.0.0.1:0", docker: { host: "${host}" } }
checks:
  prd:
    compose: { project: ${project} }
    every: 300ms
    fail_after: 1
    recover_after: 1
`);
}

describe("compose checks on the real agent", () => {
  it("a project with one container stopped makes /ops-report 503; each container is its own target", async () => {
    const project = uniqueName("wingman-prd");
    await member(project, "api");
    const db = await member(project, "db");
    const bot = await member(project, "bot");
    const proxy = await engineProxy(tempDir());
    agent = await watch(project, proxy.host);
    const a = agent;

    const up = await until("every member up", async () => {
      const r = await report(a);
      const names = r.body.targets.map((t) => `${t.name}:${t.state}`).sort();
      return r.status === 200 && names.length === 4 && names.every((n) => n.endsWith(":up"))
        ? names
        : undefined;
    });
    expect(up).toEqual(["prd/api:up", "prd/bot:up", "prd/db:up", "prd:up"]);
    const listed = await targets(a);
    expect(listed.find((t) => t.name === "prd/db")).toMatchObject({ kind: "check", state: "up" });
    const one = await api(a, `/api/targets/${encodeURIComponent("prd/db")}`);
    expect(one.status).toBe(200);
    // a member can be recovered (its group is read again), and restarted: its container, through the API
    const post = (p: string) =>
      api(a, `/api/targets/${encodeURIComponent("prd/db")}/${p}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
    expect((await post("recover")).status).toBe(200);
    const before = await db.engine.inspect(db.id);
    expect((await post("restart")).status).toBe(200);
    const after = await db.engine.inspect(db.id);
    expect(after.running).toBe(true);
    expect(after.pid).not.toBe(before.pid);
    expect((await api(a, `/api/targets/${encodeURIComponent("prd/nope")}`)).status).toBe(404);
    await until("prd/db up again", async () =>
      (await targets(a)).find((t) => t.name === "prd/db")?.state === "up" ? true : undefined,
    );

    await bot.engine.stop(bot.id, 0);
    const down = await until("503", async () => {
      const r = await report(a);
      return r.status === 503 ? r.body : undefined;
    });
    expect(down.overall_ok).toBe(false);
    expect(down.targets.find((t) => t.name === `prd/bot`)?.state).toBe("down");
    expect(down.issues.join("\n")).toMatch(/prd\/bot is down since .*: \[RUNNING\] \(false\) == true/);
    expect(down.targets.find((t) => t.name === "prd/api")?.state).toBe("up");

    await bot.engine.start(bot.id);
    await until("200 again", async () => ((await report(a)).status === 200 ? true : undefined));

    // down again, then removed from the project: no longer a target, and its incident resolves
    await bot.engine.stop(bot.id, 0);
    await until("503 again", async () => ((await report(a)).status === 503 ? true : undefined));
    await bot.engine.remove(bot.id, { force: true });
    await until("prd/bot gone", async () =>
      (await targets(a)).some((t) => t.name === "prd/bot") ? undefined : true,
    );
    const open = async () =>
      ((await (await api(a, "/api/incidents?status=open")).json()) as { incidents: { target: string }[] })
        .incidents;
    await until("its incident resolved", async () =>
      (await open()).some((i) => i.target === "prd/bot") ? undefined : true,
    );
    expect((await report(a)).status).toBe(200);
  });

  it("the engine going away: cannot be checked, naming its socket, and the agent carries on", async () => {
    const project = uniqueName("wingman-prd");
    await member(project, "api");
    const proxy = await engineProxy(tempDir());
    agent = await watch(project, proxy.host);
    const a = agent;
    await until("prd/api up", async () =>
      (await targets(a)).find((t) => t.name === "prd/api")?.state === "up" ? true : undefined,
    );

    await proxy.close();
    const r = await until("503", async () => {
      const x = await report(a);
      return x.status === 503 && x.body.targets.every((t) => t.state === "down") ? x.body : undefined;
    });
    const issues = r.issues.join("\n");
    expect(issues).toContain(`prd cannot be checked since`);
    expect(issues).toContain(`prd/api cannot be checked since`);
    expect(issues).toContain(`cannot reach the container engine at ${proxy.socket}`);
    const api_ = (await targets(a)).find((t) => t.name === "prd/api");
    expect(api_?.last_result).toMatchObject({ ok: false, failure_class: "engine_unreachable" });
    // the engine away is no outage of the agent's own: it still answers, healthy
    expect((await api(a, "/health")).status).toBe(200);
    expect(a.proc.exitCode).toBeNull();
  });
});

describe("container checks on the real agent", () => {
  it("remediate: [restart] starts a container that was stopped from outside", async () => {
    const c = await throwaway();
    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0" }
checks:
  worker:
    container: { name: ${c.name} }
    every: 300ms
    fail_after: 1
    remediate: [restart]
`,
      { env: { DOCKER_HOST: process.env.DOCKER_HOST } },
    );
    const a = agent;
    await until("worker up", async () =>
      (await targets(a)).find((t) => t.name === "worker")?.state === "up" ? true : undefined,
    );
    const before = await c.engine.inspect(c.id);
    await c.engine.stop(c.id, 0);
    const back = await until("the container running again", async () => {
      const i = await c.engine.inspect(c.id);
      return i.running && i.pid !== before.pid ? i : undefined;
    });
    expect(back.status).toBe("running");
    await until("worker up again", async () =>
      (await targets(a)).find((t) => t.name === "worker")?.state === "up" ? true : undefined,
    );
    const incidents = (await (await api(a, "/api/incidents")).json()) as {
      incidents: { target: string; failure_class: string; status: string }[];
    };
    expect(incidents.incidents.find((i) => i.target === "worker")).toMatchObject({
      failure_class: "process_exited",
      status: "resolved",
    });
  });
});
