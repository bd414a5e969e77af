import { describe, expect, it } from "vitest";
import { file, load, problems } from "../../test/helpers/config.ts";

const base = `agent: { name: host-1 }
actions:
  clean-logs: { run: ["true"], risk: auto }
`;

describe("config: alertmanager", () => {
  it("takes routes whose runbook names declared actions, on this agent or none named", () => {
    const c = load(`${base}alertmanager:
  routes:
    - { match: { alertname: DiskFull, instance: "host-1:9100" }, remediate: [clean-logs], agent: host-1 }
    - { match: { alertname: Other }, remediate: [{ action: clean-logs, when: [alert_firing] }] }
`).config;
    expect(c.alertmanager.routes).toHaveLength(2);
    expect(load(base).config.alertmanager).toEqual({ routes: [] });
  });

  it("refuses another agent, an unknown action and a built-in that needs a service", () => {
    expect(
      problems(`${base}alertmanager:
  routes:
    - { match: { alertname: A }, remediate: [clean-logs], agent: host-2 }
    - { match: { alertname: B }, remediate: [nope] }
    - { match: { alertname: C }, remediate: [restart] }
`),
    ).toEqual([
      expect.stringMatching(
        /alertmanager\.routes\[0\]\.agent: "host-2" is not this agent .*set agent.store to a postgres:\/\/ URL/,
      ),
      expect.stringMatching(/alertmanager\.routes\[1\]\.remediate\[0\]: remediate names the action "nope"/),
      expect.stringMatching(
        /alertmanager\.routes\[2\]\.remediate\[0\]: the built-in "restart" acts on a service/,
      ),
    ]);
  });

  it("takes another agent on a shared PostgreSQL store", () => {
    const c = load(`agent: { name: host-1, store: "postgres://vigil@127.0.0.1/vigil" }
actions:
  clean-logs: { run: ["true"], risk: auto }
alertmanager:
  routes: [{ match: { alertname: A }, remediate: [clean-logs], agent: host-2 }]
`).config;
    expect(c.alertmanager.routes[0]?.agent).toBe("host-2");
  });

  it("refuses a route that matches every alert", () => {
    expect(problems(`${base}alertmanager:\n  routes: [{ match: {}, remediate: [clean-logs] }]\n`)).toEqual([
      `${file}:5:21 alertmanager.routes[0].match: name at least one label, e.g. { alertname: DiskFull }`,
    ]);
  });

  it("lets a maintenance window name an alert's target, and only a well-formed one", () => {
    const window = (t: string) =>
      `${base}maintenance: [{ targets: ["${t}"], cron: "0 2 * * *", duration: 1h }]\n`;
    expect(load(window("alert/DiskFull/host-1:9100")).config.maintenance[0]?.targets).toEqual([
      "alert/DiskFull/host-1:9100",
    ]);
    expect(problems(window("alert/Disk Full"))).toEqual([
      expect.stringContaining("alert/<alertname>[/<instance>]"),
    ]);
    expect(problems(window("nothing"))).toEqual([
      expect.stringContaining('"nothing" is not a service or check'),
    ]);
  });

  it("keeps the name alert for Alertmanager's targets", () => {
    expect(problems(`${base}checks:\n  alert: { tcp: { host: 127.0.0.1, port: 1 } }\n`)).toEqual([
      expect.stringContaining(`the name "alert" is kept for Alertmanager's alerts`),
    ]);
  });
});
