/**
 * `port`: something listens on a TCP port (or nothing does), on 127.0.0.1 unless a host is named;
 * "nginx is listening on 8080" also checks that nginx holds it. Only hosts in
 * `governance.verify.hosts` are asked.
 */
import path from "node:path";
import { groupMembers, readProcText } from "../../../core/procfs.ts";
import { findPortHolder } from "../../../supervisor/ports.ts";
import { defineKind, notSeen, seen, type Observation, type Parsed } from "../kind.ts";
import { hostAllowed, isLocalHost, tryConnect } from "../reach.ts";
import { NAME, plausibleName, whole } from "../words.ts";
import type { ClaimSources } from "../sources.ts";

interface PortClaim {
  host: string;
  port: number;
  listening: boolean;
  /** Who the claim says listens: a process name or a service target. */
  holder?: string;
}

const HOST = String.raw`(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-zA-Z][a-zA-Z0-9.-]{0,252})`;
const PORT = String.raw`(\d{1,5})`;
const AT = String.raw`(?:(?:tcp )?port )?(?:${HOST}:)?${PORT}`;
const OPEN = String.raw`(?:listening|open|in use|bound|accepting connections|reachable|up)`;
const SHUT = String.raw`(?:not listening|no longer listening|closed|free|not open|not in use|unused|unreachable|not reachable|down|not accepting connections)`;
const ISNT = String.raw`(?:is not|isn't|is no longer|are not|aren't)`;

type Shape = { re: RegExp; listening: boolean; host: number; port: number; holder?: number };
const shapes: Shape[] = [
  {
    re: whole(String.raw`(?:the )?(?:tcp )?port ${PORT}(?: on ${HOST})? (?:is|are) ${OPEN}`),
    listening: true,
    port: 1,
    host: 2,
  },
  {
    re: whole(String.raw`(?:the )?(?:tcp )?port ${PORT}(?: on ${HOST})? (?:is|are) ${SHUT}`),
    listening: false,
    port: 1,
    host: 2,
  },
  {
    re: whole(String.raw`(?:the )?(?:tcp )?port ${PORT}(?: on ${HOST})? ${ISNT} ${OPEN}`),
    listening: false,
    port: 1,
    host: 2,
  },
  { re: whole(String.raw`${HOST}:${PORT} (?:is|are) ${OPEN}`), listening: true, host: 1, port: 2 },
  { re: whole(String.raw`${HOST}:${PORT} (?:is|are) ${SHUT}`), listening: false, host: 1, port: 2 },
  {
    re: whole(String.raw`(?:something|a process|a service|a server) (?:is )?listen(?:s|ing) on ${AT}`),
    listening: true,
    host: 1,
    port: 2,
  },
  {
    re: whole(
      String.raw`(?:nothing|no process|no service|nobody|no one) (?:is )?listen(?:s|ing) on ${AT}(?: any more| anymore)?`,
    ),
    listening: false,
    host: 1,
    port: 2,
  },
  {
    re: whole(
      String.raw`(?:the )?${NAME}(?: process| service| server)? (?:is )?(?:listening|listens|accepting connections|accepts connections|running|serving|up) on ${AT}`,
    ),
    listening: true,
    holder: 1,
    host: 2,
    port: 3,
  },
  {
    re: whole(
      String.raw`(?:the )?${NAME}(?: process| service| server)? ${ISNT} (?:listening|accepting connections|running|serving) on ${AT}`,
    ),
    listening: false,
    holder: 1,
    host: 2,
    port: 3,
  },
];

export default defineKind<PortClaim>({
  type: "port",
  description: "Something listens on a TCP port (or nothing does); with a name, that it is who holds it.",
  rank: 40,
  examples: [
    "Port 5432 is listening",
    "port 8080 is open",
    "port 9000 is closed",
    "nothing listens on port 6379",
    "127.0.0.1:8080 is accepting connections",
    "nginx is listening on 8080",
    "postgres is running on port 5432",
    "port 80 on localhost is listening",
  ],
  refuses: [
    "the port is open",
    "port forwarding is set up",
    "it listens on a port",
    "tests are listening on 80",
  ],
  parse(part): Parsed<PortClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      const holder = s.holder === undefined ? undefined : m[s.holder];
      if (s.holder !== undefined && !plausibleName(holder)) continue;
      const port = Number(m[s.port]);
      const host = m[s.host] ?? "127.0.0.1";
      if (!(port >= 1 && port <= 65_535)) return { unverifiable: `${m[s.port]} is no TCP port (1 to 65535)` };
      return {
        claim: { host, port, listening: s.listening, ...(holder ? { holder } : {}) },
        ...(holder ? { subject: holder } : {}),
      };
    }
    return undefined;
  },
  async observe(claim, sources, signal) {
    const { host, port, listening, holder } = claim;
    const what = `port ${host}:${port}`;
    const expected = listening ? "listening" : "not listening";
    if (!hostAllowed(host, sources.hosts()))
      return [notSeen(what, expected, `${host} is not in governance.verify.hosts, so it was not asked`)];
    const reach = await tryConnect(host, port, signal);
    if (holder === undefined) {
      if (reach.open) return [seen(what, expected, "a connection was accepted", listening)];
      if (reach.refused) return [seen(what, expected, "connection refused", !listening)];
      return [notSeen(what, expected, reach.why)];
    }
    // "nginx is not listening on 8080" holds when nothing listens there.
    if (!reach.open && reach.refused && !listening)
      return [seen(what, `${holder} not listening`, "connection refused", true)];
    const out: Observation[] = [];
    if (listening) {
      if (reach.open) out.push(seen(what, expected, "a connection was accepted", true));
      else if (reach.refused) return [seen(what, expected, "connection refused", false)];
      else return [notSeen(what, expected, reach.why)];
    }
    out.push(whoHolds(claim as Required<PortClaim>, sources));
    return out;
  },
});

/** Whether the listener is the named process (or a process of the named service). */
function whoHolds(
  { host, port, listening, holder }: Required<PortClaim>,
  sources: ClaimSources,
): Observation {
  const what = `the listener on port ${port}`;
  const expected = listening ? holder : `not ${holder}`;
  if (!isLocalHost(host)) return notSeen(what, expected, `who listens on ${host} cannot be seen from here`);
  const found = findPortHolder(port);
  if (!found) return notSeen(what, expected, "no listener in /proc/net/tcp (another network namespace?)");
  if (found.pid === undefined) return notSeen(what, expected, `held by ${found.command}`);
  const service = sources.targets().find((t) => t.name === holder && t.kind === "service");
  const matches = service
    ? service.pid !== undefined && groupMembers(service.pid).includes(found.pid)
    : namesMatch(found.pid, holder);
  const observed = `pid ${found.pid} (${found.command.slice(0, 80)})`;
  return seen(what, expected, observed, matches === listening);
}

/** comm or argv[0]'s base name is the name, or the name and a suffix ("redis" for redis-server). */
function namesMatch(pid: number, name: string): boolean {
  try {
    const comm = readProcText(`/proc/${pid}/comm`).trim();
    const argv0 = path.basename(readProcText(`/proc/${pid}/cmdline`).split("\0")[0] ?? "");
    return [comm, argv0].some((n) => n === name || n.startsWith(`${name}-`) || n.startsWith(`${name}:`));
  } catch {
    return false;
  }
}
