/**
 * `http`: a URL answers a status, answers at all, holds a text, or answers within a time. "
 * http://127.0.0.1:8001/health returns 200", "api returns 200 on /health" (a service's own address),
 * "http://localhost:3000 contains \"Welcome\"". Only hosts in `governance.verify.hosts` are asked,
 * a redirect is followed only on the same host, the body is read up to 1 MiB.
 */
import { defineKind, notSeen, seen, type Observation, type Parsed } from "../kind.ts";
import { fetchBounded, maxBody, type Got } from "../fetch.ts";
import { hostAllowed } from "../reach.ts";
import { DURATION, TARGET, URL_RE, msOf, showBytes, whole } from "../words.ts";

type Expect =
  | { status: number; not?: true; json?: { field: string; value: string } }
  | { answers: boolean }
  | { text: string; present: boolean }
  | { withinMs: number };

type HttpClaim = Expect & ({ url: string } | { service: string; path: string });

const STATUS = String.raw`(?:(?:a|an|http|status|code|the status|status code|response) )*(\d{3})(?: [a-z]+(?: [a-z]+)?)?`;
const ANSWERS = String.raw`(?:returns|returned|answers|answered|answers with|responds with|responded with|is responding with|responds|gives|serves|is returning|is serving|sends back|replies with)`;
const NOT_ANSWERS = String.raw`(?:does not|doesn't|no longer|did not|didn't) (?:return|answer|respond with|give|serve)s?|no longer (?:returns|answers|responds with|gives|serves)`;
/** A quoted text, or one word unquoted ("contains healthy", "contains 1.4.2"). */
const TXT = String.raw`(?:"([^"]{1,1000})"|'([^']{1,1000})'|([^\s"']{1,200}))`;
const UP = String.raw`(?:is up|is reachable|responds|is responding|answers|is healthy|is ok|is available|works|is working|is online|loads|is live|is running|is serving)`;
const DOWN = String.raw`(?:is down|is unreachable|is not reachable|does not respond|doesn't respond|is not responding|no longer responds|is offline|is not available)`;
/** What may stand before a URL: "curl", "GET", "the health endpoint at", "the status page". */
const PRE = String.raw`(?:curl (?:-[a-zA-Z]+ )*|(?:a )?(?:GET |request to )|(?:the )?(?:[\w-]+ ){0,3}(?:at |on )?)?`;
/** What may name the thing before its verb: "the API", "api", "the web server". */
const WHO_ = String.raw`(?:the )?(?:[\w-]+ ){0,2}`;
const ON = String.raw`(?:on|at|for|from|via)`;

type Shape = { re: RegExp; make: (m: RegExpExecArray) => HttpClaim | undefined };
const url = (m: RegExpExecArray, i = 1) => m[i]!.replace(/[).,]+$/, "");
const text = (m: RegExpExecArray, i: number) => m[i] ?? m[i + 1] ?? m[i + 2]!;
/** A status's reason phrase after its number ("200 OK"), where the answer comes first. */
const REASON = String.raw`(?: (?:ok|created|accepted|no content|moved permanently|found|see other|not modified|temporary redirect|permanent redirect|bad request|unauthorized|forbidden|not found|internal server error|bad gateway|service unavailable|gateway timeout))?`;
/** Arrows a report puts between a request and its answer: "curl -s URL → 200". */
const ARROW = String.raw`(?:→|->|=>|⇒|⟶)`;
/** "with status ok", 'and "state": "ready"': a top-level field of a JSON body and its value. */
const FIELD = String.raw`(?:with|and) (?:(?:a|the|json|body|field) )*"?([A-Za-z_][\w-]{0,99})"?(?: ?[:=] ?| is | of | set to | equal to | )"?([\w.-]{1,200})"?`;
const shapes: Shape[] = [
  {
    re: whole(String.raw`${PRE}${URL_RE} ${ANSWERS} ${STATUS} ${FIELD}`),
    make: (m) => ({ url: url(m), status: Number(m[2]), json: { field: m[3]!, value: m[4]! } }),
  },
  {
    // "HTTP 200 from URL", "got a 404 from URL", "status 500 on URL": the answer, then whose.
    re: whole(
      String.raw`(?:(?:got|received|getting|saw|seeing) )?(?:(?:a|an|http|https|status|code|response) )*(\d{3})${REASON} (?:from|on|for|at) (?:GET )?${URL_RE}`,
    ),
    make: (m) => ({ url: url(m, 2), status: Number(m[1]) }),
  },
  {
    re: whole(String.raw`${PRE}${URL_RE} ${ARROW} ${STATUS}`),
    make: (m) => ({ url: url(m), status: Number(m[2]) }),
  },
  {
    // "URL redirects with 301": the redirect's own status, judged without following it.
    re: whole(
      String.raw`${PRE}${URL_RE} (?:redirects|is redirecting|is redirected|answers with a redirect|returns a redirect)(?: (?:with|using|via|as))? (?:a |an )?(?:http |status )?(3\d\d)${REASON}`,
    ),
    make: (m) => ({ url: url(m), status: Number(m[2]) }),
  },
  {
    re: whole(String.raw`${PRE}${URL_RE} ${ANSWERS} ${STATUS}`),
    make: (m) => ({ url: url(m), status: Number(m[2]) }),
  },
  {
    re: whole(String.raw`${PRE}${URL_RE} (?:${NOT_ANSWERS}) ${STATUS}`),
    make: (m) => ({ url: url(m), status: Number(m[2]), not: true }),
  },
  { re: whole(String.raw`${PRE}${URL_RE} ${UP}`), make: (m) => ({ url: url(m), answers: true }) },
  {
    re: whole(String.raw`${PRE}${URL_RE} is (?:a |an |returning )?(\d{3})`),
    make: (m) => ({ url: url(m), status: Number(m[2]) }),
  },
  {
    re: whole(
      String.raw`${PRE}${URL_RE} (?:returns|serves|responds with|answers with|gives) (?:a |an |the )?(?:body|response|page|json|document)(?: that)? (?:containing|contains|with|including|includes|mentioning) ${TXT}`,
    ),
    make: (m) => ({ url: url(m), text: text(m, 2), present: true }),
  },
  { re: whole(String.raw`${PRE}${URL_RE} ${DOWN}`), make: (m) => ({ url: url(m), answers: false }) },
  {
    re: whole(
      String.raw`${PRE}${URL_RE} (?:returns|contains|shows|says|includes|responds with|serves|mentions)(?: the text)? ${TXT}`,
    ),
    make: (m) => ({ url: url(m), text: text(m, 2), present: true }),
  },
  {
    re: whole(
      String.raw`${PRE}${URL_RE} (?:does not|doesn't|no longer) (?:return|contain|show|say|include|mention)s? ${TXT}`,
    ),
    make: (m) => ({ url: url(m), text: text(m, 2), present: false }),
  },
  {
    re: whole(
      String.raw`${PRE}${URL_RE} (?:responds|answers|loads)(?: with \d{3})? (?:within|in under|in less than|under|in) ${DURATION}`,
    ),
    make: (m) => ({ url: url(m), withinMs: msOf(m[2]!, m[3]!) }),
  },
  {
    re: whole(String.raw`${WHO_}${ANSWERS} ${STATUS} ${ON} ${URL_RE}`),
    make: (m) => ({ url: url(m, 2), status: Number(m[1]) }),
  },
  {
    re: whole(
      String.raw`${WHO_}(?:is up|is reachable|is available|is running|is healthy|is live|is online|responds|answers) ${ON} ${URL_RE}`,
    ),
    make: (m) => ({ url: url(m), answers: true }),
  },
  {
    re: whole(
      String.raw`(?:the )?${TARGET}(?: service| api| server)? ${ANSWERS} ${STATUS} ${ON} (?:GET )?(\/[^\s"']{0,2000})`,
    ),
    make: (m) => ({ service: m[1]!, path: m[3]!, status: Number(m[2]) }),
  },
  {
    re: whole(
      String.raw`(?:GET )?(\/[^\s"']{0,2000}) (?:on|of) (?:the )?${TARGET}(?: service)? ${ANSWERS} ${STATUS}`,
    ),
    make: (m) => ({ service: m[2]!, path: m[1]!, status: Number(m[3]) }),
  },
];

export default defineKind<HttpClaim>({
  type: "http",
  description: "A URL answers a status, answers at all, holds a text, or answers within a time.",
  rank: 35,
  examples: [
    "http://127.0.0.1:8001/health returns 200",
    "GET http://localhost:3000/ returns HTTP 200 OK",
    "http://127.0.0.1:8001/health is up",
    'http://127.0.0.1:8001/ contains "Welcome"',
    "http://127.0.0.1:8001/health responds within 500 ms",
    "api returns 200 on /health",
    "HTTP 200 from http://127.0.0.1:8001/api/status",
    "curl -s http://127.0.0.1:8001/health → 200",
    "http://127.0.0.1:8001/health returns 200 with status ok",
    "http://127.0.0.1:8001/old redirects with 301",
  ],
  refuses: [
    "the health endpoint returns 200",
    "the API returns 200",
    "the page loads",
    "https://x.example/ is great",
  ],
  parse(part, known): Parsed<HttpClaim> {
    for (const s of shapes) {
      const m = s.re.exec(part.text);
      if (!m) continue;
      const claim = s.make(m);
      if (!claim) continue;
      if ("status" in claim && (claim.status < 100 || claim.status > 599))
        return { unverifiable: `${claim.status} is no HTTP status` };
      if ("service" in claim && !known.targets.has(claim.service))
        return {
          unverifiable: `${claim.service} is not a service of this agent, so its address is not known`,
          subject: claim.service,
        };
      return { claim, subject: "service" in claim ? claim.service : claim.url };
    }
    return undefined;
  },
  async observe(claim, sources, signal) {
    const expected = expectation(claim);
    let target: string | undefined;
    if ("url" in claim) target = claim.url;
    else {
      const base = sources.serviceUrl(claim.service);
      if (base === undefined)
        return [
          notSeen(
            `service ${claim.service}`,
            expected,
            "it has no port or health URL configured, so its address is not known",
          ),
        ];
      target = new URL(claim.path, base).href;
    }
    let u: URL;
    try {
      u = new URL(target);
    } catch {
      return [notSeen(target, expected, "not a URL")];
    }
    if (u.username || u.password)
      return [
        notSeen(`${u.protocol}//${u.host}${u.pathname}`, expected, "a URL with credentials is not requested"),
      ];
    const what = `GET ${u.href}`;
    if (!hostAllowed(u.hostname, sources.hosts()))
      return [
        notSeen(what, expected, `${u.hostname} is not in governance.verify.hosts, so it was not asked`),
      ];
    const started = performance.now();
    // A claim about a redirect's own status is judged on it, not on where it leads.
    const follow = !("status" in claim && claim.status >= 300 && claim.status < 400);
    const got = await fetchBounded(u, signal, follow);
    const ms = Math.round(performance.now() - started);
    const status = judge(claim, what, expected, got, ms);
    if (!("json" in claim && claim.json) || !got.ok) return [status];
    return [status, judgeField(claim.json, what, got)];
  },
});

function expectation(c: HttpClaim): string {
  if ("status" in c) return `${c.not ? "a status other than" : "status"} ${c.status}`;
  if ("answers" in c) return c.answers ? "an answer below 400" : "no answer, or a 5xx";
  if ("text" in c) return `${c.present ? "" : "no "}"${c.text}" in the body`;
  return `an answer within ${c.withinMs} ms`;
}

function judge(c: HttpClaim, what: string, expected: string, got: Got, ms: number): Observation {
  if (!got.ok) {
    if ("answers" in c && !c.answers && got.refused) return seen(what, expected, got.why, true);
    if (got.refused) return seen(what, expected, got.why, false);
    return notSeen(what, expected, got.why);
  }
  const head = `status ${got.status}${got.note ? ` (${got.note})` : ""}, ${ms} ms`;
  if ("status" in c) return seen(what, expected, head, (got.status === c.status) !== (c.not === true));
  if ("answers" in c) return seen(what, expected, head, c.answers ? got.status < 400 : got.status >= 500);
  if ("withinMs" in c) return seen(what, expected, head, ms <= c.withinMs);
  const found = got.body.includes(Buffer.from(c.text, "utf8"));
  if (!found && got.truncated)
    return notSeen(
      what,
      expected,
      `${head}; not in the first ${showBytes(maxBody)} of the body, the rest was not read`,
    );
  return seen(what, expected, `${head}; the text is ${found ? "" : "not "}in the body`, found === c.present);
}

/** A top-level field of a JSON body has the value said (case aside: "status ok" is "OK" too). */
function judgeField(
  want: { field: string; value: string },
  what: string,
  got: Extract<Got, { ok: true }>,
): Observation {
  const expected = `${want.field} = ${want.value} in the JSON body`;
  if (got.truncated) return notSeen(what, expected, `the body is longer than ${showBytes(maxBody)}`);
  let body: unknown;
  try {
    body = JSON.parse(got.body.toString("utf8"));
  } catch {
    return notSeen(what, expected, "the body is not JSON, so it has no fields");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return notSeen(what, expected, "the body is not a JSON object");
  // Not FALSE: "with no errors" may have been read as a field "no"; a field not there says nothing.
  if (!Object.hasOwn(body, want.field)) return notSeen(what, expected, `the body has no field ${want.field}`);
  const v = (body as Record<string, unknown>)[want.field];
  const shown = typeof v === "string" ? v : (JSON.stringify(v) ?? "");
  const ok = typeof v !== "object" && shown.toLowerCase() === want.value.toLowerCase();
  return seen(what, expected, `${want.field} = ${shown}`, ok);
}
