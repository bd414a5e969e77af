/** What the remediation e2e files share: a real agent's audited events, and configs for sick services. */
import path from "node:path";
import { api, runCli, type RunningAgent } from "./agent.ts";

export const fixture = path.resolve(import.meta.dirname, "../fixtures/service.js");

export interface Ev {
  ts: number;
  type: string;
  subject: string;
  actor: string;
  payload: Record<string, unknown>;
}

export async function events(a: RunningAgent): Promise<Ev[]> {
  const res = await api(a, "/api/audit?limit=5000");
  const body = (await res.json()) as {
    events: { ts: number; type: string; subject: string; actor: string; payload: string | object }[];
  };
  return body.events.map((e) => ({
    ...e,
    payload: (typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload) as Record<string, unknown>,
  }));
}

export const of = (evs: Ev[], type: string, subject?: string) =>
  evs.filter((e) => e.type === type && (subject === undefined || e.subject === subject));

export const cli = (a: RunningAgent, args: string[]) =>
  runCli(args, { env: { VIGIL_URL: a.url, VIGIL_TOKEN: a.token } });

/**
 * A service whose health check never passes: its body says "sick". With a start period, each fresh
 * process is judged only once it could listen, so what fails is its answer, not a slow start.
 */
export function sick(name: string, port: number, extra = "", startPeriod = "0ms") {
  return `  ${name}:
    command: ["${process.execPath}", "${fixture}"]
    env: { PORT: "${port}", HEALTH_STATUS: sick }
    port: ${port}
    restart: { backoff: { initial: 100ms, max: 1s }, max_restarts: 100, window: 1m }
    stop: { timeout: 1s }
    health: { http: { url: "http://127.0.0.1:${port}/health" }, every: 200ms, timeout: 200ms, fail_after: 2,
              expect: ["[BODY].status == ok"], start_period: ${startPeriod} }
${extra}`;
}

export const fast = "remediation: { max_attempts: 3, cooldown: 200ms, verify_within: 800ms }";
