/**
 * The agent an alert is about, from its `instance` label, for a route that names no `agent:`: an
 * alert on `web-2:9100` is web-2's, whichever agent Alertmanager posted it to. The host part (the
 * port stripped) is matched against the fleet's agents, by name first, then by host; a host with
 * several agents on it names none of them.
 */

export interface FleetAgent {
  name: string;
  host: string;
  /** Its lease holds. */
  alive: boolean;
}

/** The host part of an `instance` label: `host:9100`, `[::1]:9100`, `10.0.0.1`, a bare host. */
export function instanceHost(instance: string): string {
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(instance);
  if (v6) return v6[1]!.toLowerCase();
  const colons = instance.split(":").length - 1;
  // One colon is host:port; more is an IPv6 address without brackets.
  return (colons === 1 ? instance.slice(0, instance.lastIndexOf(":")) : instance).toLowerCase();
}

/** `web-1` of `web-1.example.com`; an address is its own short form. */
function shortName(host: string): string {
  return /[a-z]/i.test(host) && !host.includes(":") ? host.split(".")[0]! : host;
}

/**
 * The agent among `agents` that an alert's `instance` names: the one whose agent.name equals its
 * host part (or that host's first label), else the only one running on that host; undefined when
 * none or several match.
 */
export function agentByInstance(
  instance: string | undefined,
  agents: readonly FleetAgent[],
): string | undefined {
  if (!instance) return undefined;
  const host = instanceHost(instance);
  const forms = new Set([host, shortName(host)]);
  const lower = (s: string) => s.toLowerCase();
  const one = (found: readonly FleetAgent[]) => (found.length === 1 ? found[0]!.name : undefined);
  return (
    one(agents.filter((a) => forms.has(lower(a.name)))) ??
    one(agents.filter((a) => forms.has(lower(a.host)) || forms.has(shortName(lower(a.host)))))
  );
}
