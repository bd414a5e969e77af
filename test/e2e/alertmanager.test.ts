/**
 * The real thing: Debian's Prometheus scrapes a metric this test serves, a rule fires on it, Debian's
 * Alertmanager posts the alert to the agent's `POST /api/alertmanager` with an operator token, the
 * agent opens an incident on `alert/DiskFull/<instance>` and runs its route's runbook (an action
 * that touches a file). The file is what the metric reads: once it exists the metric goes back, the
 * rule resolves, Alertmanager posts the resolution and the incident closes.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api, startAgent, type RunningAgent } from "../helpers/agent.ts";
import { alertmanagerBin, startAlertmanager } from "../helpers/alertmanager.ts";
import { installed, startPrometheus, type RunningPrometheus } from "../helpers/prometheus.ts";
import { tempDir } from "../helpers/tmp.ts";

const operatorToken = "alertmanager-operator-token-0123456789";

let agent: RunningAgent | undefined;
let prometheus: RunningPrometheus | undefined;
let alertmanager: RunningPrometheus | undefined;
let metrics: http.Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await agent?.stop("SIGTERM");
  await new Promise<void>((resolve) => (metrics ? metrics.close(() => resolve()) : resolve()));
  metrics?.closeAllConnections();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  prometheus = alertmanager = agent = metrics = dir = undefined;
});

/** `/metrics` with `test_disk_full` 1 until `healed` exists, 0 after. */
async function serveMetric(healed: string): Promise<{ server: http.Server; address: string }> {
  const server = http.createServer((req, res) => {
    const full = fs.existsSync(healed) ? 0 : 1;
    res.writeHead(req.url === "/metrics" ? 200 : 404, { "content-type": "text/plain; version=0.0.4" });
    res.end(`# TYPE test_disk_full gauge\ntest_disk_full ${full}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Incident {
  id: string;
  target: string;
  status: string;
  failure_class: string;
  attempts?: { action: string; outcome: string | null }[];
}

async function incidentsOf(a: RunningAgent, target: string): Promise<Incident[]> {
  const res = await api(a, "/api/incidents?limit=100");
  const body = (await res.json()) as { incidents: Incident[] };
  return body.incidents.filter((i) => i.target === target);
}

describe("Alertmanager to Vigil, for real", () => {
  it("a rule fires, Alertmanager posts it, the runbook heals it, the alert resolves and the incident closes", async (ctx) => {
    const am = alertmanagerBin();
    if (!am || !installed("prometheus")) {
      ctx.skip("prometheus and prometheus-alertmanager are not installed (.ci/run installs them)");
      return;
    }
    dir = tempDir("vigil-alertmanager-");
    const healed = path.join(dir, "cleaned");
    const served = await serveMetric(healed);
    metrics = served.server;

    agent = await startAgent(
      `agent: { listen: "127.0.0.1:0", name: host-1 }
auth:
  tokens: [{ name: alertmanager, role: operator, token: ${operatorToken} }]
actions:
  clean-logs: { run: ["touch", "${healed}"], risk: auto }
alertmanager:
  routes:
    - { match: { alertname: NoSuchAlert }, remediate: [clean-logs] }
    - { match: { alertname: DiskFull, severity: critical }, remediate: [clean-logs], agent: host-1 }
`,
      { dir },
    );

    alertmanager = await startAlertmanager(
      am,
      `route:
  receiver: vigil
  group_by: [alertname, instance]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: vigil
    webhook_configs:
      - url: ${agent.url}/api/alertmanager
        send_resolved: true
        max_alerts: 100
        http_config:
          authorization: { credentials: ${operatorToken} }
`,
      dir,
    );
    fs.writeFileSync(
      path.join(dir, "rules.yml"),
      `groups:
  - name: test
    rules:
      - alert: DiskFull
        expr: test_disk_full == 1
        labels: { severity: critical }
        annotations: { summary: "disk full on {{ $labels.instance }}" }
`,
    );
    prometheus = await startPrometheus(
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["${new URL(alertmanager.url).host}"] }] }]
scrape_configs:
  - job_name: app
    static_configs: [{ targets: ["${served.address}"] }]
`,
      dir,
    );

    const target = `alert/DiskFull/${served.address}`;
    const a = agent;
    // Fired, posted, healed by the runbook, resolved: the incident ends resolved with the runbook's run.
    await expect
      .poll(async () => (await incidentsOf(a, target)).find((i) => i.status === "resolved"), {
        timeout: 60_000,
        interval: 500,
      })
      .toBeDefined();
    expect(fs.existsSync(healed)).toBe(true);
    const [incident] = await incidentsOf(a, target);
    expect(incident).toMatchObject({ status: "resolved", failure_class: "alert_firing" });
    const detail = (await (await api(a, `/api/incidents/${incident!.id}`)).json()) as Incident;
    expect(detail.attempts?.map((x) => x.action)).toEqual(["clean-logs"]);

    const view = (await (await api(a, `/api/targets/${encodeURIComponent(target)}`)).json()) as {
      state: string;
      labels: Record<string, string>;
    };
    expect(view.state).toBe("up");
    expect(view.labels).toMatchObject({ alertname: "DiskFull", severity: "critical", job: "app" });

    // The audit log has the alert firing and resolving, posted by the operator token's name.
    const audit = (await (await api(a, "/api/audit?limit=1000")).json()) as {
      events: { type: string; subject: string; actor: string; payload: { status: string } }[];
    };
    const received = audit.events.filter((e) => e.type === "alert.received" && e.subject === target);
    expect(received.map((e) => e.payload.status)).toEqual(["firing", "resolved"]);
    expect(received.every((e) => e.actor === "alertmanager")).toBe(true);
  }, 120_000);
});
