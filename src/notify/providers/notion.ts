/**
 * `notion`: a status board, one page per incident in a Notion database. The page is found by a text
 * property holding the incident id (`POST /v1/databases/{id}/query`), created when there is none
 * (`POST /v1/pages`) and its status set when there is (`PATCH /v1/pages/{id}`). Nothing is kept in
 * memory: a retry of the same notification, or an agent restarted between an opening and its
 * resolution, finds the same page again. `GET /v1/databases/{id}` is doctor's look.
 *
 * The requests are in the shapes of Notion-Version 2022-06-28 (`parent.database_id`, the database
 * query endpoint); 2025-09-03 moved both to data sources, so a later version is not the default.
 * Notion's errors are `{object: "error", status, code, message}`: 400, 401, 403 and 404 are
 * permanent, 409 (`conflict_error`: "try again"), 429 (with Retry-After, whole seconds) and 5xx are
 * retried. The token is scrubbed from every error.
 */
import type { z } from "zod";
import type { SchemaKit } from "../../config/kit.ts";
import { clip, oneLine, request } from "../post.ts";
import { anchorLine, defineProvider, type ChannelCheck, type Delivery, type Outgoing } from "../provider.ts";

/** Notion's limits: characters in one rich text object, rich text objects in one array. */
const textMax = 2_000;
const richTextItems = 100;
/** Pages holding one incident updated at most (more than one only after a race between two agents). */
const pageSize = 10;
/** How much of an answer is read: a page of query results, or the start of an error. */
const answerBytes = 1_000_000;

const schema = ({ z }: SchemaKit) =>
  z.strictObject({
    token: z
      .string()
      .regex(/^\S{8,}$/, "the integration's secret (ntn_… or secret_…) from notion.so/profile/integrations")
      .describe("The integration's secret; share the database with the integration (••• → Connections)."),
    database_id: z
      .string()
      .regex(
        /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
        "the database's id: the 32 hex characters before ?v= in its URL",
      )
      .describe("The database the pages go in: the 32 hex characters before ?v= in its URL."),
    api_root: z
      .url({ protocol: /^https?$/ })
      .default("https://api.notion.com")
      .transform((u) => u.replace(/\/+$/, ""))
      .describe("Where the Notion API is; by default api.notion.com."),
    notion_version: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "a Notion API version, like 2022-06-28")
      .default("2022-06-28")
      .describe(
        "The Notion-Version header. The requests are 2022-06-28's (parent.database_id, the database query); 2025-09-03 moved those to data sources.",
      ),
    title_property: z.string().min(1).default("Name").describe("The database's title property."),
    incident_property: z
      .string()
      .min(1)
      .default("Incident")
      .describe("A Text property holding the incident id: how an incident's page is found again."),
    status_property: z.string().min(1).default("Status").describe("The property showing open or resolved."),
    status_type: z
      .enum(["select", "status"])
      .default("select")
      .describe(
        "The status property's type: a select gets missing options created; a Notion status property must already have both options.",
      ),
    status_open: z.string().min(1).default("Open").describe("The status of an incident still open."),
    status_resolved: z.string().min(1).default("Resolved").describe("The status of a resolved incident."),
    updated_property: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A Date property holding when the fact shown happened; with it a late retry of an older fact never overwrites a newer one.",
      ),
  });

export type NotionConfig = z.output<ReturnType<typeof schema>>;

/** What one incident's page should show after a notification: its state and when it got there. */
export interface IncidentFact {
  incident_id: string;
  resolved: boolean;
  at: number;
  /** The first title the notification has for this incident: a new page's name. */
  title: string;
  /** What the notification says about this incident, for a new page's content. */
  text: string;
}

/**
 * Each incident a notification is about, with the state its newest item leaves it in. A grouped
 * message (`items`) may tell one incident opened and resolved, or tell two incidents of one target.
 */
export function incidentFacts(m: Outgoing["message"]): IncidentFact[] {
  const items = m.items ?? [m];
  const byIncident = new Map<string, (typeof items)[number][]>();
  for (const i of items) {
    if (!i.incident_id) continue;
    byIncident.set(i.incident_id, [...(byIncident.get(i.incident_id) ?? []), i]);
  }
  return [...byIncident].map(([incident_id, told]) => {
    const last = told.at(-1)!;
    return {
      incident_id,
      resolved: last.kind === "incident.resolved",
      at: last.at,
      title: told[0]!.title,
      text: [...told.map((i) => (told.length > 1 ? `• ${i.title}: ${i.text}` : i.text)), anchorLine(m)]
        .filter((t) => t !== undefined)
        .join("\n"),
    };
  });
}

const richText = (text: string) => {
  const chars = [...clip(text, textMax * richTextItems)];
  const out: { type: "text"; text: { content: string } }[] = [];
  for (let i = 0; i < chars.length; i += textMax)
    out.push({ type: "text", text: { content: chars.slice(i, i + textMax).join("") } });
  return out;
};

function statusValue(cfg: NotionConfig, resolved: boolean) {
  const name = resolved ? cfg.status_resolved : cfg.status_open;
  return cfg.status_type === "status" ? { status: { name } } : { select: { name } };
}

/** The properties a page gets: all of them when created, the status (and time) when updated. */
function properties(cfg: NotionConfig, f: IncidentFact, create: boolean): Record<string, object> {
  const props: Record<string, object> = { [cfg.status_property]: statusValue(cfg, f.resolved) };
  if (create) {
    props[cfg.title_property] = { title: richText(clip(f.title.trim() || f.incident_id, textMax)) };
    props[cfg.incident_property] = { rich_text: richText(f.incident_id) };
  }
  if (cfg.updated_property) props[cfg.updated_property] = { date: { start: new Date(f.at).toISOString() } };
  return props;
}

const paragraph = (text: string) =>
  text.trim() === ""
    ? []
    : [{ object: "block", type: "paragraph", paragraph: { rich_text: richText(text) } }];

/** A page as the query answers it, reduced to what deciding needs. */
interface FoundPage {
  id: string;
  status: string | undefined;
  updated: number | undefined;
}

function foundPage(cfg: NotionConfig, p: unknown): FoundPage | undefined {
  const page = p as { id?: unknown; properties?: Record<string, Record<string, unknown> | undefined> };
  if (typeof page?.id !== "string") return undefined;
  const status = page.properties?.[cfg.status_property]?.[cfg.status_type] as { name?: unknown } | null;
  const date = cfg.updated_property
    ? (page.properties?.[cfg.updated_property]?.date as { start?: unknown } | null | undefined)
    : undefined;
  const updated = typeof date?.start === "string" ? Date.parse(date.start) : undefined;
  return {
    id: page.id,
    status: typeof status?.name === "string" ? status.name : undefined,
    updated: Number.isFinite(updated) ? updated : undefined,
  };
}

/** One request's outcome: Notion's JSON answer, or the delivery failure it is. */
type Reply =
  { ok: true; json: unknown } | { ok: false; failure: Delivery & { ok: false }; status?: number | undefined };

/** One delivery's requests: the same token, version and deadline for each. */
class NotionApi {
  readonly #cfg: NotionConfig;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal;

  constructor(cfg: NotionConfig, timeoutMs: number) {
    this.#cfg = cfg;
    this.#timeoutMs = timeoutMs;
    // One deadline for every request of the delivery: `deliver` returns within the timeout it is given.
    this.#signal = AbortSignal.timeout(timeoutMs);
  }

  /** Never throws. `what` says which step failed ("creating the page of inc-7"). */
  async call(what: string, method: "GET" | "POST" | "PATCH", path: string, body?: object): Promise<Reply> {
    const scrub = (e: string) => `${what}: ${e}`.replaceAll(this.#cfg.token, "<token>");
    const r = await request(`${this.#cfg.api_root}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#cfg.token}`,
        "notion-version": this.#cfg.notion_version,
        "user-agent": "vigil",
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      timeoutMs: this.#timeoutMs,
      signal: this.#signal,
      answerBytes,
      // Notion's 409 conflict_error is a write that raced another: trying again is what it asks.
      transient: [409],
      reason,
    });
    if (!r.ok)
      return { ok: false, status: r.status, failure: { ...r.failure, error: scrub(r.failure.error) } };
    try {
      return { ok: true, json: JSON.parse(r.text) as unknown };
    } catch {
      // Something that is not the Notion API (a proxy's page): it may be gone on the next try.
      const failure = {
        ok: false as const,
        error: scrub(`HTTP ${r.status} but not JSON: is ${this.#cfg.api_root} the Notion API?`),
        permanent: false,
      };
      return { ok: false, status: r.status, failure };
    }
  }
}

/** Notion's `code: message` when the body is its error object; else one line of what came. */
function reason(text: string, contentType: string | null): string {
  try {
    const e = JSON.parse(text) as { object?: unknown; code?: unknown; message?: unknown };
    if (e.object === "error" && typeof e.code === "string")
      return ` ${e.code}: ${oneLine(typeof e.message === "string" ? e.message : "")}`;
  } catch {
    // Not Notion's error object: said as it came, below.
  }
  if (contentType?.includes("html")) return "";
  const line = oneLine(text);
  return line ? `: ${line}` : "";
}

/** The pages of one incident, oldest first: the one to update, and any twin a race left. */
async function pagesOf(api: NotionApi, cfg: NotionConfig, incident: string) {
  const a = await api.call(
    `finding the page of ${incident}`,
    "POST",
    `/v1/databases/${cfg.database_id}/query`,
    {
      filter: { property: cfg.incident_property, rich_text: { equals: incident } },
      sorts: [{ timestamp: "created_time", direction: "ascending" }],
      page_size: pageSize,
    },
  );
  if (!a.ok) return a;
  const results = (a.json as { results?: unknown }).results;
  if (!Array.isArray(results))
    return {
      ok: false as const,
      failure: {
        ok: false as const,
        error: `finding the page of ${incident}: the answer has no results: is ${cfg.api_root} the Notion API?`,
        permanent: false,
      },
    };
  return { ok: true as const, pages: results.flatMap((p) => foundPage(cfg, p) ?? []) };
}

/** Brings one incident's page(s) to what `f` says: created when absent, updated when behind. */
async function apply(api: NotionApi, cfg: NotionConfig, f: IncidentFact): Promise<Delivery> {
  const found = await pagesOf(api, cfg, f.incident_id);
  if (!found.ok) return found.failure;
  if (found.pages.length === 0) {
    const a = await api.call(`creating the page of ${f.incident_id}`, "POST", "/v1/pages", {
      parent: { database_id: cfg.database_id },
      properties: properties(cfg, f, true),
      children: paragraph(f.text),
    });
    return a.ok ? { ok: true } : a.failure;
  }
  const status = f.resolved ? cfg.status_resolved : cfg.status_open;
  for (const page of found.pages) {
    // A page already showing this fact or a newer one is left alone: a retry, or a late one.
    const current = cfg.updated_property
      ? page.updated !== undefined && page.updated >= f.at
      : page.status === status;
    if (current) continue;
    const a = await api.call(`updating the page of ${f.incident_id}`, "PATCH", `/v1/pages/${page.id}`, {
      properties: properties(cfg, f, false),
    });
    if (!a.ok) return a.failure;
  }
  return { ok: true };
}

/** Doctor's look: the token opens the database, and it has the properties the settings name. */
async function checkDatabase(cfg: NotionConfig, key: string, timeoutMs: number): Promise<ChannelCheck> {
  const a = await new NotionApi(cfg, timeoutMs).call(
    `reading the database`,
    "GET",
    `/v1/databases/${cfg.database_id}`,
  );
  if (!a.ok) {
    return {
      ok: false,
      what: `${cfg.api_root}: ${a.failure.error}`,
      fix:
        a.status === 401
          ? `the token is not valid: copy the integration's secret into ${key}.token`
          : a.status === 404 || a.status === 403
            ? `share the database with the integration (in Notion: ••• → Connections), or fix ${key}.database_id`
            : a.status === 400
              ? `Notion refused the request: check ${key}.notion_version and ${key}.database_id`
              : `check that ${cfg.api_root} is reachable from this machine (${key}.api_root)`,
    };
  }
  const db = a.json as {
    title?: { plain_text?: string }[];
    properties?: Record<string, { type?: string; status?: { options?: { name?: string }[] } }>;
  };
  const props = db.properties ?? {};
  const wanted: [string, string, string][] = [
    ["title_property", cfg.title_property, "title"],
    ["incident_property", cfg.incident_property, "rich_text"],
    ["status_property", cfg.status_property, cfg.status_type],
    ...(cfg.updated_property
      ? [["updated_property", cfg.updated_property, "date"] as [string, string, string]]
      : []),
  ];
  for (const [field, name, type] of wanted) {
    const has = props[name]?.type;
    if (has !== type)
      return {
        ok: false,
        what: `the database has ${has ? `a ${has} property` : "no property"} named ${JSON.stringify(name)}, not a ${type} one`,
        fix: `add a ${type === "rich_text" ? "Text" : type} property ${JSON.stringify(name)} to the database, or set ${key}.${field}`,
      };
  }
  if (cfg.status_type === "status") {
    const options = (props[cfg.status_property]?.status?.options ?? []).map((o) => o.name);
    for (const [field, name] of [
      ["status_open", cfg.status_open],
      ["status_resolved", cfg.status_resolved],
    ] as const)
      if (!options.includes(name))
        return {
          ok: false,
          what: `the status property ${JSON.stringify(cfg.status_property)} has no option ${JSON.stringify(name)} (the API cannot add one)`,
          fix: `add the option ${JSON.stringify(name)} in Notion, or set ${key}.${field} to one of: ${options.join(", ")}`,
        };
  }
  const title = (db.title ?? []).map((t) => t.plain_text ?? "").join("") || cfg.database_id;
  return {
    ok: true,
    detail: `the integration opens the database "${title}", which has the properties it needs; nothing sent (--send sends a test message)`,
  };
}

export default defineProvider({
  type: "notion",
  description:
    "A page per incident in a Notion database, found again by its Incident property and its status set on resolve; a test message makes a resolved test page, other messages are not boarded.",
  schema,
  example: {
    token: "ntn_example_integration_secret_0123456789",
    database_id: "0123456789abcdef0123456789abcdef",
  },
  secrets: ["token"],
  doctor: (cfg) => ({ verify: (key, timeoutMs) => checkDatabase(cfg, key, timeoutMs) }),
  async deliver(cfg, n, opts): Promise<Delivery> {
    const api = new NotionApi(cfg, opts.timeoutMs);
    const m = n.message;
    if (m.kind === "test") {
      // Straight through, never retried: a page that proves the token, database and every property
      // name, marked resolved so that nobody takes it for an incident.
      const f = { incident_id: `test ${m.id}`, resolved: true, at: m.at, title: m.title, text: m.text };
      const a = await api.call("creating a test page", "POST", "/v1/pages", {
        parent: { database_id: cfg.database_id },
        properties: properties(cfg, f, true),
        children: paragraph(m.text),
      });
      return a.ok ? { ok: true } : a.failure;
    }
    // An approval request or an action's report has no incident, so no place on a status board.
    for (const f of incidentFacts(m)) {
      const d = await apply(api, cfg, f);
      if (!d.ok) return d;
    }
    return { ok: true };
  },
});
