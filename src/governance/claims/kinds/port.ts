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
import { NAME, WHO, plausibleName, whole } from "../words.ts";
import type { ClaimSources } from "../sources.ts";

interface PortClaim {
  host: string;
  port: number;
  listening: boolean;
  /** Who the claim says listens: a process name or a service target. */
  holder?: string;
}

const HOST = String.raw`(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-zA-Z][a-zA-Z0-9.-]{0,252})`;
const PORT = String.raw`(\d{1,5})(?:\/tcp)?`;
/** A host after "on": also a bare IPv6 address ("on ::1"). */
const ON_HOST = String.raw`(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}|[a-zA-Z][a-zA-Z0-9.-]{0,252})`;
/** Words for whatever answers on a port: "the server is listening on 8080" names no process. */
const GENERIC = String.raw`(?:the )?(?:web |http |api |database |db |backend |frontend |proxy )?(?:server|service|app|application|api|website|site|database|db|backend|frontend|proxy|listener|endpoint)`;
const AT = String.raw`(?:(?:tcp )?port )?(?:${HOST}:)?${PORT}`;
const OPEN = String.raw`(?:listening|open|in use|bound|accepting connections|reachable|up|taken)`;
const SHUT = String.raw`(?:not listening|no longer listening|closed|free|not open|not in use|unused|unreachable|not reachable|down|not accepting connections)`;
const ISNT = String.raw`(?:is not|isn't|is no longer|are not|aren't)`;

type Shape = { re: RegExp; listening: boolean; host: number; port: number; holder?: number };
/** A pattern and where its groups are: the port, the host (absent: 127.0.0.1) and who holds it. */
const shape = (re: string, listening: boolean, port: number, host: number, holder?: number): Shape => ({
  re: whole(re),
  listening,
  port,
  host,
  ...(holder === undefined ? {} : { holder }),
});
const PORT_IS = String.raw`(?:the )?(?:tcp )?port ${PORT}`;
const NOBODY = String.raw`(?:nothing|no process|no service|nobody|no one)`;
const HOLDER = String.raw`(?:the )?(?:service |process |daemon |server )?${NAME}(?: process| service| server)?`;
const LISTENS = String.raw`(?:listening|listens|accepting connections|accepts connections|running|serving|up)`;
const shapes: Shape[] = [
  shape(String.raw`${PORT_IS}(?: on ${ON_HOST})? (?:is|are) ${OPEN}`, true, 1, 2),
  shape(String.raw`${PORT_IS}(?: on ${ON_HOST})? (?:is|are) ${SHUT}`, false, 1, 2),
  shape(String.raw`${PORT_IS}(?: on ${ON_HOST})? ${ISNT} ${OPEN}`, false, 1, 2),
  shape(String.raw`${PORT_IS} (?:is|are) ${OPEN} on ${ON_HOST}`, true, 1, 2),
  shape(String.raw`${PORT_IS} (?:is|are) ${SHUT} on ${ON_HOST}`, false, 1, 2),
  shape(String.raw`${HOST}:${PORT} (?:is|are) ${OPEN}`, true, 2, 1),
  shape(String.raw`${HOST}:${PORT} (?:is|are) ${SHUT}`, false, 2, 1),
  shape(String.raw`${HOST}:${PORT} (?:accepts connections|listens|answers|responds)`, true, 2, 1),
  shape(
    String.raw`(?:something|a process|a service|a server|a program|a listener) (?:is )?(?:listen(?:s|ing)|bound|running|accepting connections) (?:on|to) ${AT}`,
    true,
    2,
    1,
  ),
  shape(String.raw`(?:listening|accepting connections|bound) (?:on|to) ${AT}`, true, 2, 1),
  shape(
    String.raw`${PORT_IS} (?:accepts connections|listens|is listening|answers|is accepting connections)(?: on ${ON_HOST})?`,
    true,
    1,
    2,
  ),
  shape(String.raw`${NOBODY} (?:is )?(?:listen(?:s|ing)|running|runs|bound) (?:on|to) ${AT}`, false, 2, 1),
  shape(
    String.raw`${PORT_IS} (?:is|are) (?:in use|taken|held|bound|used|owned) by (?:the )?${NAME}(?: process| service| server)?`,
    true,
    1,
    99,
    2,
  ),
  shape(
    String.raw`${WHO}(?:killed|stopped|terminated) (?:the )?(?:process|service|server|listener|program) (?:on|listening on|using|holding|bound to) (?:tcp )?(?:port )?${PORT}`,
    false,
    1,
    99,
  ),
  shape(
    String.raw`(?:the )?${NAME} (?:database|db|server|service|daemon|proxy|cache|broker|instance|web server) (?:is )?${LISTENS} on ${AT}`,
    true,
    3,
    2,
    1,
  ),
  shape(String.raw`${WHO}(?:freed|released|closed)(?: up)?(?: the)? (?:tcp )?port ${PORT}`, false, 1, 99),
  shape(String.raw`${HOLDER} (?:is )?${LISTENS} on ${AT}`, true, 3, 2, 1),
  shape(
    String.raw`${HOLDER} ${ISNT} (?:listening|accepting connections|running|serving) on ${AT}`,
    false,
    3,
    2,
    1,
  ),
  shape(String.raw`${GENERIC} (?:is |are )?(?:${LISTENS}|reachable|available) on ${AT}`, true, 2, 1),
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
    "The app is listening on http://127.0.0.1:8080",
  ],
  refuses: [
    "the port is open",
    "port forwarding is set up",
    "it listens on a port",
    "tests are listening on 80",
  ],
  parse(part, known): Parsed<PortClaim> {
    // "127.0.0.1 port 8080", "localhost port 8080": the host:port it means.
    // "listening on http://127.0.0.1:8080/": a listener's address written as a URL, scheme and all;
    // only a bare host:port (a path after it is a request, the http kind's).
    const text = part.text
      .replace(/\b(localhost|\d{1,3}(?:\.\d{1,3}){3}) (?:tcp )?port (\d{1,5})\b/i, "$1:$2")
      .replace(
        / (on|at) https?:\/\/(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-zA-Z][a-zA-Z0-9.-]{0,252}):(\d{1,5})\/?$/i,
        " $1 $2:$3",
      );
    for (const s of shapes) {
      const m = s.re.exec(text);
      if (!m) continue;
      const holder = s.holder === undefined ? undefined : m[s.holder];
      if (s.holder !== undefined && !plausibleName(holder) && !known.targets.has(holder ?? "")) continue;
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
    const want = name.toLowerCase();
    return [comm, argv0]
      .map((n) => n.toLowerCase())
      .some((n) => n === want || n.startsWith(`${want}-`) || n.startsWith(`${want}:`));
  } catch {
    return false;
  }
}
