/**
 * The notion provider against a local stand-in for the Notion API on 127.0.0.1, which speaks only
 * the endpoints the provider uses, checks the token and Notion-Version as Notion does, refuses a
 * body of any other shape with Notion's 400, and keeps its pages in memory: one page per incident
 * across retries and a restart, the status set on resolve, what is retried and what is not, and the
 * token kept out of every error. Then the setting as `vigil config check` reads it.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { kit } from "../../config/kit.ts";
import { loadConfigText } from "../../config/load.ts";
import { formatProblem } from "../../config/result.ts";
import { testChannel } from "../test-message.ts";
import { freePort } from "../../../test/helpers/net.ts";
import { at, opts, outgoing } from "../../../test/helpers/receiver.ts";
import type { Delivery, Outgoing } from "../provider.ts";
import notion, { incidentFacts, type NotionConfig } from "./notion.ts";

const token = "ntn_test_integration_secret_4815162342";
const databaseId = "0123456789abcdef0123456789abcdef";
const version = "2022-06-28";

type PropertyType = "title" | "rich_text" | "select" | "status" | "date";
type Schema = Record<string, { type: PropertyType; options?: string[] }>;
type Json = Record<string, unknown>;

interface Page {
  object: "page";
  id: string;
  created_time: string;
  parent: { type: "database_id"; database_id: string };
  properties: Record<string, Json>;
  children: unknown[];
}

interface Request {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Json | undefined;
}

/** An answer forced on the next request: Notion's error, a status with headers, or none ever. */
type Forced = { status: number; headers?: Record<string, string>; body: string } | "hang";

const defaultSchema: Schema = {
  Name: { type: "title" },
  Incident: { type: "rich_text" },
  Status: { type: "select", options: ["Open"] },
};

const dashed = (id: string) => id.replace(/-/g, "").toLowerCase();

class BadRequest extends Error {
  readonly code: string;
  constructor(message: string, code = "validation_error") {
    super(message);
    this.code = code;
  }
}

/**
 * A Notion database behind the four endpoints the provider calls: GET /v1/databases/{id},
 * POST /v1/databases/{id}/query, POST /v1/pages, PATCH /v1/pages/{id}.
 */
class NotionStandIn {
  readonly pages: Page[] = [];
  readonly requests: Request[] = [];
  readonly #forced: Forced[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #server = http.createServer((req, res) => this.#handle(req, res));
  #clock = 0;
  readonly schema: Schema;

  constructor(schema: Schema = defaultSchema) {
    this.schema = schema;
    this.#server.on("connection", (s) => {
      this.#sockets.add(s);
      s.on("close", () => this.#sockets.delete(s));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((r) => this.#server.close(() => r()));
  }

  force(...answers: Forced[]): void {
    this.#forced.push(...answers);
  }

  /** An error in Notion's shape. */
  static error(status: number, code: string, message: string, headers: Record<string, string> = {}): Forced {
    return {
      status,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ object: "error", status, code, message, request_id: randomUUID() }),
    };
  }

  /** What a page shows: its title, incident and status as plain values. */
  shown(p: Page): { title: string; incident: string; status: string | undefined; updated?: string } {
    const text = (v: Json | undefined, k: string) => plain(v?.[k]);
    const statusKey = this.schema.Status?.type ?? "select";
    const status = p.properties.Status?.[statusKey] as { name: string } | null | undefined;
    const updated = (p.properties.Updated?.date as { start: string } | undefined)?.start;
    return {
      title: text(p.properties.Name, "title"),
      incident: text(p.properties.Incident, "rich_text"),
      status: status?.name,
      ...(updated ? { updated } : {}),
    };
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "";
      let body: Json | undefined;
      const send = (status: number, value: unknown, headers: Record<string, string> = {}) =>
        res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(value));
      const fail = (status: number, code: string, message: string) =>
        send(status, { object: "error", status, code, message, request_id: randomUUID() });
      try {
        body = raw === "" ? undefined : (JSON.parse(raw) as Json);
      } catch {
        this.requests.push({ method: req.method ?? "", path, headers: req.headers, body: undefined });
        return fail(400, "invalid_json", "Error parsing JSON body.");
      }
      this.requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      const forced = this.#forced.shift();
      if (forced === "hang") return;
      if (forced) return res.writeHead(forced.status, forced.headers).end(forced.body);
      if (req.headers.authorization !== `Bearer ${token}`)
        return fail(401, "unauthorized", "API token is invalid.");
      if (req.headers["notion-version"] === undefined)
        return fail(
          400,
          "missing_version",
          "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        );
      if (req.headers["notion-version"] !== version)
        return fail(
          400,
          "validation_error",
          `Notion-Version ${String(req.headers["notion-version"])} is not known here.`,
        );
      try {
        const answer = this.#route(req.method ?? "", path, body, req.headers["content-type"]);
        if (answer === undefined) return fail(400, "invalid_request_url", "Invalid request URL.");
        send(200, answer);
      } catch (e) {
        if (!(e instanceof BadRequest)) throw e;
        fail(e.code === "object_not_found" ? 404 : 400, e.code, e.message);
      }
    });
  }

  #route(method: string, path: string, body: Json | undefined, type: string | undefined): unknown {
    if (method !== "GET" && type !== "application/json")
      throw new BadRequest("body failed validation: the body should be JSON.");
    let m: RegExpExecArray | null;
    if (method === "GET" && (m = /^\/v1\/databases\/([\w-]+)$/.exec(path))) {
      this.#database(m[1]!);
      return {
        object: "database",
        id: databaseId,
        title: [{ type: "text", text: { content: "Status board" }, plain_text: "Status board" }],
        properties: Object.fromEntries(
          Object.entries(this.schema).map(([name, p]) => [
            name,
            {
              id: name.toLowerCase(),
              name,
              type: p.type,
              [p.type]: p.options ? { options: p.options.map((o) => ({ name: o })) } : {},
            },
          ]),
        ),
      };
    }
    if (method === "POST" && (m = /^\/v1\/databases\/([\w-]+)\/query$/.exec(path))) {
      this.#database(m[1]!);
      return this.#query(body ?? {});
    }
    if (method === "POST" && path === "/v1/pages") return this.#create(body ?? {});
    if (method === "PATCH" && (m = /^\/v1\/pages\/([\w-]+)$/.exec(path)))
      return this.#update(m[1]!, body ?? {});
    return undefined;
  }

  #database(id: string): void {
    if (dashed(id) !== databaseId)
      throw new BadRequest(`Could not find database with ID: ${id}.`, "object_not_found");
  }

  #query(body: Json): unknown {
    only(body, ["filter", "sorts", "page_size", "start_cursor"], "body");
    const filter = body.filter as Json | undefined;
    let pages = this.pages;
    if (filter !== undefined) {
      only(filter, ["property", "rich_text"], "body.filter");
      const property = filter.property as string;
      const p = this.schema[property];
      if (!p) throw new BadRequest(`Could not find property with name or id: ${property}`);
      if (p.type !== "rich_text")
        throw new BadRequest(`body failed validation: filter.rich_text does not match a ${p.type} property.`);
      const equals = (filter.rich_text as Json | undefined)?.equals;
      if (typeof equals !== "string")
        throw new BadRequest("body failed validation: body.filter.rich_text.equals should be a string.");
      pages = pages.filter((pg) => plain(pg.properties[property]?.rich_text) === equals);
    }
    const sorts = body.sorts as Json[] | undefined;
    if (sorts !== undefined && !(Array.isArray(sorts) && sorts.every((s) => s.timestamp === "created_time")))
      throw new BadRequest("body failed validation: body.sorts should be sorts by created_time.");
    const size = body.page_size ?? 100;
    if (typeof size !== "number" || size < 1 || size > 100)
      throw new BadRequest("body failed validation: body.page_size should be between 1 and 100.");
    const ordered = [...pages].sort((a, b) => a.created_time.localeCompare(b.created_time));
    const results = ordered.slice(0, size).map(({ children: _, ...p }) => p);
    return {
      object: "list",
      results,
      next_cursor: null,
      has_more: ordered.length > size,
      type: "page_or_database",
    };
  }

  #create(body: Json): unknown {
    only(body, ["parent", "properties", "children"], "body");
    const parent = body.parent as Json | undefined;
    if (!parent || typeof parent.database_id !== "string")
      throw new BadRequest("body failed validation: body.parent.database_id should be defined.");
    only(parent, ["database_id", "type"], "body.parent");
    this.#database(parent.database_id);
    const properties = this.#properties(body.properties);
    if (!Object.values(properties).some((v) => "title" in v)) throw new BadRequest("Title is not provided.");
    const children = body.children ?? [];
    if (!Array.isArray(children) || children.length > 100)
      throw new BadRequest("body failed validation: body.children should be an array of at most 100.");
    for (const [i, c] of children.entries()) {
      const b = c as Json;
      only(b, ["object", "type", "paragraph"], `body.children[${i}]`);
      if (b.type !== "paragraph") throw new BadRequest(`body.children[${i}].type should be paragraph here.`);
      richText((b.paragraph as Json | undefined)?.rich_text, `body.children[${i}].paragraph.rich_text`);
    }
    const page: Page = {
      object: "page",
      id: randomUUID(),
      created_time: new Date(Date.UTC(2026, 0, 1) + this.#clock++ * 1000).toISOString(),
      parent: { type: "database_id", database_id: databaseId },
      properties: Object.fromEntries(
        Object.entries(this.schema).map(([name, p]) => [
          name,
          properties[name] ?? { [p.type]: p.type === "title" || p.type === "rich_text" ? [] : null },
        ]),
      ),
      children,
    };
    this.pages.push(page);
    return { ...page, children: undefined };
  }

  #update(id: string, body: Json): unknown {
    only(body, ["properties"], "body");
    const page = this.pages.find((p) => dashed(p.id) === dashed(id));
    if (!page) throw new BadRequest(`Could not find page with ID: ${id}.`, "object_not_found");
    Object.assign(page.properties, this.#properties(body.properties));
    return page;
  }

  /** Property values checked against the schema, as Notion checks them. */
  #properties(value: unknown): Record<string, Json> {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new BadRequest("body failed validation: body.properties should be an object.");
    const out: Record<string, Json> = {};
    for (const [name, v] of Object.entries(value as Record<string, Json>)) {
      const p = this.schema[name];
      if (!p) throw new BadRequest(`${name} is not a property that exists.`);
      only(v, [p.type], `body.properties.${name}`);
      const inner = v[p.type];
      if (p.type === "title" || p.type === "rich_text") richText(inner, `body.properties.${name}.${p.type}`);
      if (p.type === "select" || p.type === "status") {
        const option = inner as Json | null;
        if (option !== null && typeof option?.name !== "string")
          throw new BadRequest(
            `body failed validation: body.properties.${name}.${p.type}.name should be a string.`,
          );
        const known = p.options ?? [];
        if (option && !known.includes(option.name as string)) {
          // A select gets the new option; a status property's options cannot be added by the API.
          if (p.type === "status")
            throw new BadRequest(
              `Invalid status option. Status option "${String(option.name)}" does not exist".`,
            );
          known.push(option.name as string);
          p.options = known;
        }
      }
      if (p.type === "date") {
        const d = inner as Json | null;
        if (d !== null && (typeof d?.start !== "string" || Number.isNaN(Date.parse(d.start))))
          throw new BadRequest(
            `body failed validation: body.properties.${name}.date.start should be an ISO 8601 date.`,
          );
      }
      out[name] = { type: p.type, [p.type]: inner };
    }
    return out;
  }
}

/** A rich text array's text. */
const plain = (value: unknown) =>
  ((value ?? []) as { text: { content: string } }[]).map((t) => t.text.content).join("");

/** Refuses a key Notion does not know at this place in the body. */
function only(value: unknown, keys: string[], where: string): asserts value is Json {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new BadRequest(`body failed validation: ${where} should be an object.`);
  for (const k of Object.keys(value))
    if (!keys.includes(k))
      throw new BadRequest(
        `body failed validation: ${where}.${k} should be not present, instead was present.`,
      );
}

function richText(value: unknown, where: string): void {
  if (!Array.isArray(value) || value.length > 100)
    throw new BadRequest(`body failed validation: ${where} should be an array of at most 100.`);
  for (const [i, t] of (value as Json[]).entries()) {
    only(t, ["type", "text"], `${where}[${i}]`);
    const text = t.text as Json | undefined;
    if (t.type !== "text" || typeof text?.content !== "string")
      throw new BadRequest(`body failed validation: ${where}[${i}].text.content should be a string.`);
    if ([...text.content].length > 2000)
      throw new BadRequest(`body failed validation: ${where}[${i}].text.content.length should be ≤ 2000.`);
  }
}

const servers: NotionStandIn[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function standIn(schema?: Schema): Promise<{ notion: NotionStandIn; root: string }> {
  const n = new NotionStandIn(schema && structuredClone(schema));
  servers.push(n);
  return { notion: n, root: await n.listen() };
}

const config = (root: string, more: Record<string, unknown> = {}): NotionConfig =>
  notion.schema(kit).parse({ token, database_id: databaseId, api_root: root, ...more });

/** Every failure a test sees, to check at the end that none holds the token. */
const errors: string[] = [];
async function deliver(cfg: NotionConfig, n: Outgoing, timeoutMs = opts.timeoutMs): Promise<Delivery> {
  const d = await notion.deliver(cfg, n, { timeoutMs, now: at });
  if (!d.ok) errors.push(d.error);
  return d;
}

const opened = outgoing();
const resolved = (over: Partial<Outgoing["message"]> = {}) =>
  outgoing({
    id: "n-2",
    kind: "incident.resolved",
    title: "web-1 recovered",
    text: "web-1 is up again after 42 s. Incident inc-7.",
    at: at + 42_000,
    ...over,
  });

describe("notion: one page per incident", () => {
  it("an opening creates one page: title, incident, status, and the text as its content", async () => {
    const { notion: n, root } = await standIn();
    expect(await deliver(config(root), opened)).toEqual({ ok: true });
    expect(n.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1/databases/${databaseId}/query`,
      "POST /v1/pages",
    ]);
    for (const r of n.requests)
      expect(r.headers).toMatchObject({ authorization: `Bearer ${token}`, "notion-version": version });
    expect(n.requests[0]!.body).toEqual({
      filter: { property: "Incident", rich_text: { equals: "inc-7" } },
      sorts: [{ timestamp: "created_time", direction: "ascending" }],
      page_size: 10,
    });
    expect(n.pages).toHaveLength(1);
    expect(n.shown(n.pages[0]!)).toEqual({ title: "web-1 is down", incident: "inc-7", status: "Open" });
    expect(n.pages[0]!.children).toEqual([
      {
        object: "block",
        type: "paragraph",
        paragraph: { rich_text: [{ type: "text", text: { content: "GET /health: connection refused" } }] },
      },
    ]);
  });

  it("a new page ends with the audit anchor", async () => {
    const { notion: n, root } = await standIn();
    expect(await deliver(config(root), outgoing({ audit_anchor: "seq 1372 #ab12cd34" }))).toEqual({
      ok: true,
    });
    expect(JSON.stringify(n.pages[0]!.children)).toContain("audit seq 1372 #ab12cd34");
  });

  it("the same notification retried finds its page: still one page, and nothing written", async () => {
    const { notion: n, root } = await standIn();
    const cfg = config(root);
    expect(await deliver(cfg, opened)).toEqual({ ok: true });
    expect(await deliver(cfg, opened)).toEqual({ ok: true });
    expect(n.pages).toHaveLength(1);
    expect(n.requests.map((r) => r.method)).toEqual(["POST", "POST", "POST"]);
    expect(n.requests[2]!.path).toMatch(/\/query$/);
  });

  it("the resolution sets the status of the same page, and only the status", async () => {
    const { notion: n, root } = await standIn();
    const cfg = config(root);
    await deliver(cfg, opened);
    const id = n.pages[0]!.id;
    expect(await deliver(cfg, resolved())).toEqual({ ok: true });
    expect(n.pages).toHaveLength(1);
    const patch = n.requests.at(-1)!;
    expect([patch.method, patch.path]).toEqual(["PATCH", `/v1/pages/${id}`]);
    expect(patch.body).toEqual({ properties: { Status: { select: { name: "Resolved" } } } });
    expect(n.shown(n.pages[0]!)).toEqual({ title: "web-1 is down", incident: "inc-7", status: "Resolved" });
    // A retry of the resolution writes nothing more.
    const before = n.requests.length;
    expect(await deliver(cfg, resolved())).toEqual({ ok: true });
    expect(n.requests.slice(before).map((r) => r.method)).toEqual(["POST"]);
  });

  it("an agent restarted between opening and resolution (a fresh module) updates the same page", async () => {
    const { notion: n, root } = await standIn();
    await deliver(config(root), opened);
    vi.resetModules();
    const fresh = (await import("./notion.ts")).default;
    expect(fresh).not.toBe(notion);
    const cfg = fresh.schema(kit).parse({ token, database_id: databaseId, api_root: root });
    expect(await fresh.deliver(cfg, resolved(), opts)).toEqual({ ok: true });
    expect(n.pages.map((p) => n.shown(p).status)).toEqual(["Resolved"]);
  });

  it("incidents are kept apart: another incident of the same target gets its own page", async () => {
    const { notion: n, root } = await standIn();
    const cfg = config(root);
    await deliver(cfg, opened);
    await deliver(cfg, outgoing({ id: "n-3", incident_id: "inc-8", title: "web-1 is down again" }));
    await deliver(cfg, resolved());
    expect(n.pages.map((p) => n.shown(p))).toEqual([
      { title: "web-1 is down", incident: "inc-7", status: "Resolved" },
      { title: "web-1 is down again", incident: "inc-8", status: "Open" },
    ]);
  });

  it("a resolution whose opening never arrived creates the page, resolved", async () => {
    const { notion: n, root } = await standIn();
    expect(await deliver(config(root), resolved())).toEqual({ ok: true });
    expect(n.pages.map((p) => n.shown(p))).toEqual([
      { title: "web-1 recovered", incident: "inc-7", status: "Resolved" },
    ]);
  });

  it("a grouped message applies each incident's newest state", async () => {
    const { notion: n, root } = await standIn();
    const items = [
      { kind: "incident.opened", title: "web-1 is down", text: "refused", at, incident_id: "inc-7" },
      {
        kind: "incident.opened",
        title: "web-1 is down too",
        text: "timeout",
        at: at + 1,
        incident_id: "inc-9",
      },
      { kind: "incident.resolved", title: "web-1 recovered", text: "up", at: at + 2, incident_id: "inc-7" },
    ];
    const grouped = outgoing({ kind: "incident.resolved", title: "web-1 recovered (3 updates)", items });
    expect(incidentFacts(grouped.message).map((f) => [f.incident_id, f.resolved, f.title])).toEqual([
      ["inc-7", true, "web-1 is down"],
      ["inc-9", false, "web-1 is down too"],
    ]);
    expect(await deliver(config(root), grouped)).toEqual({ ok: true });
    expect(n.pages.map((p) => n.shown(p))).toEqual([
      { title: "web-1 is down", incident: "inc-7", status: "Resolved" },
      { title: "web-1 is down too", incident: "inc-9", status: "Open" },
    ]);
    expect(n.pages[0]!.children).toMatchObject([
      {
        paragraph: {
          rich_text: [{ text: { content: "• web-1 is down: refused\n• web-1 recovered: up" } }],
        },
      },
    ]);
  });

  it("twins left by two agents racing are both resolved", async () => {
    const { notion: n, root } = await standIn();
    const cfg = config(root);
    await deliver(cfg, opened);
    n.pages.push({
      ...structuredClone(n.pages[0]!),
      id: randomUUID(),
      created_time: "2026-01-01T01:00:00.000Z",
    });
    await deliver(cfg, resolved());
    expect(n.pages.map((p) => n.shown(p).status)).toEqual(["Resolved", "Resolved"]);
  });

  it("a long title and text are cut to Notion's 2000 characters per rich text object", async () => {
    const { notion: n, root } = await standIn();
    const d = await deliver(config(root), outgoing({ title: "t".repeat(3_000), text: "x".repeat(4_500) }));
    expect(d).toEqual({ ok: true });
    expect([...n.shown(n.pages[0]!).title]).toHaveLength(2_000);
    const parts = (n.pages[0]!.children[0] as { paragraph: { rich_text: { text: { content: string } }[] } })
      .paragraph.rich_text;
    expect(parts.map((t) => t.text.content.length)).toEqual([2_000, 2_000, 500]);
  });
});

describe("notion: settings for another board", () => {
  it("a Notion status property and other names and values", async () => {
    const { notion: n, root } = await standIn({
      Title: { type: "title" },
      Key: { type: "rich_text" },
      Status: { type: "status", options: ["Investigating", "Done"] },
    });
    const cfg = config(root, {
      title_property: "Title",
      incident_property: "Key",
      status_type: "status",
      status_open: "Investigating",
      status_resolved: "Done",
    });
    expect(await deliver(cfg, opened)).toEqual({ ok: true });
    expect(n.requests.at(-1)!.body).toMatchObject({
      properties: {
        Title: { title: [{ type: "text", text: { content: "web-1 is down" } }] },
        Key: { rich_text: [{ type: "text", text: { content: "inc-7" } }] },
        Status: { status: { name: "Investigating" } },
      },
    });
    expect(await deliver(cfg, resolved())).toEqual({ ok: true });
    expect(n.requests.at(-1)!.body).toEqual({ properties: { Status: { status: { name: "Done" } } } });
  });

  it("with updated_property, a late retry of an older fact never reopens a resolved page; a relapse does", async () => {
    const { notion: n, root } = await standIn({ ...defaultSchema, Updated: { type: "date" } });
    const cfg = config(root, { updated_property: "Updated" });
    // The opening failed and waits for its retry while the resolution goes out.
    expect(await deliver(cfg, resolved())).toEqual({ ok: true });
    expect(await deliver(cfg, opened)).toEqual({ ok: true });
    expect(n.shown(n.pages[0]!)).toMatchObject({
      status: "Resolved",
      updated: new Date(at + 42_000).toISOString(),
    });
    const relapse = outgoing({ id: "n-4", title: "web-1 is down", at: at + 60_000 });
    expect(await deliver(cfg, relapse)).toEqual({ ok: true });
    expect(n.shown(n.pages[0]!)).toMatchObject({
      status: "Open",
      updated: new Date(at + 60_000).toISOString(),
    });
    expect(n.pages).toHaveLength(1);
  });

  it("a database without the named property: a permanent 400 that names it", async () => {
    const { root } = await standIn({ Name: { type: "title" }, Incident: { type: "rich_text" } });
    expect(await deliver(config(root), opened)).toEqual({
      ok: false,
      error: "creating the page of inc-7: HTTP 400 validation_error: Status is not a property that exists.",
      permanent: true,
    });
  });
});

describe("notion: what is not an incident", () => {
  it("the test message makes one resolved test page, straight away", async () => {
    const { notion: n, root } = await standIn();
    const test = outgoing({
      id: "t-1",
      kind: "test",
      target: null,
      incident_id: undefined,
      title: "Vigil test message",
    });
    expect(await deliver(config(root), test)).toEqual({ ok: true });
    expect(n.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v1/pages"]);
    expect(n.shown(n.pages[0]!)).toEqual({
      title: "Vigil test message",
      incident: "test t-1",
      status: "Resolved",
    });
  });

  it("an approval request or an action's report is not boarded: delivered, nothing sent", async () => {
    const { notion: n, root } = await standIn();
    const approval = outgoing({ kind: "approval.requested", incident_id: undefined, approval_id: "ap-1" });
    const action = outgoing({ kind: "action.finished", incident_id: undefined });
    expect(await deliver(config(root), approval)).toEqual({ ok: true });
    expect(await deliver(config(root), action)).toEqual({ ok: true });
    expect(n.requests).toEqual([]);
  });
});

describe("notion: what is retried", () => {
  it("a wrong token is permanent, with Notion's reason and without the token", async () => {
    const { root } = await standIn();
    const d = await deliver(config(root, { token: "ntn_some_other_secret_value_99" }), opened);
    expect(d).toEqual({
      ok: false,
      error: "finding the page of inc-7: HTTP 401 unauthorized: API token is invalid.",
      permanent: true,
    });
  });

  it("403 and 404 are permanent; 409 is retried", async () => {
    const { notion: n, root } = await standIn();
    n.force(
      NotionStandIn.error(403, "restricted_resource", "Insufficient permissions for this endpoint."),
      NotionStandIn.error(404, "object_not_found", `Could not find database with ID: ${databaseId}.`),
      NotionStandIn.error(409, "conflict_error", "Conflict occurred while saving. Please try again."),
    );
    const outcomes = [await deliver(config(root), opened), await deliver(config(root), opened)];
    outcomes.push(await deliver(config(root), opened));
    expect(outcomes.map((d) => !d.ok && d.permanent)).toEqual([true, true, false]);
    expect(outcomes.map((d) => !d.ok && d.error.split(": ")[1])).toEqual([
      "HTTP 403 restricted_resource",
      "HTTP 404 object_not_found",
      "HTTP 409 conflict_error",
    ]);
  });

  it("a 429 is retried after Retry-After", async () => {
    const { notion: n, root } = await standIn();
    n.force(
      NotionStandIn.error(
        429,
        "rate_limited",
        "You have been rate limited. Please try again in a few minutes.",
        {
          "retry-after": "3",
        },
      ),
    );
    expect(await deliver(config(root), opened)).toEqual({
      ok: false,
      error:
        "finding the page of inc-7: HTTP 429 rate_limited: You have been rate limited. Please try again in a few minutes.",
      permanent: false,
      retryAfterMs: 3_000,
    });
  });

  it("a 500 on the write after the query is retried, and the retry creates the page once", async () => {
    const { notion: n, root } = await standIn();
    const cfg = config(root);
    // The query goes through; the create meets a 500.
    const query = {
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"object":"list","results":[]}',
    };
    n.force(query, NotionStandIn.error(500, "internal_server_error", "Unexpected error occurred."));
    expect(await deliver(cfg, opened)).toEqual({
      ok: false,
      error: "creating the page of inc-7: HTTP 500 internal_server_error: Unexpected error occurred.",
      permanent: false,
    });
    expect(await deliver(cfg, opened)).toEqual({ ok: true });
    expect(n.pages.filter((p) => n.shown(p).incident === "inc-7")).toHaveLength(1);
  });

  it("a server that never answers: a transient failure within the timeout", async () => {
    const { notion: n, root } = await standIn();
    n.force("hang");
    const started = performance.now();
    expect(await deliver(config(root), opened, 300)).toEqual({
      ok: false,
      error: "finding the page of inc-7: no answer within 300 ms",
      permanent: false,
    });
    expect(performance.now() - started).toBeLessThan(300 + 700);
  });

  it("the timeout is for the whole delivery, not for each request", async () => {
    const { notion: n, root } = await standIn();
    const query = {
      status: 200,
      headers: { "content-type": "application/json" },
      body: '{"object":"list","results":[]}',
    };
    n.force(query, "hang");
    const started = performance.now();
    const d = await deliver(config(root), opened, 300);
    expect(d).toMatchObject({
      ok: false,
      permanent: false,
      error: "creating the page of inc-7: no answer within 300 ms",
    });
    expect(performance.now() - started).toBeLessThan(300 + 700);
  });

  it("nobody listening, a redirect, and a 200 that is not Notion", async () => {
    const port = await freePort();
    expect(await deliver(config(`http://127.0.0.1:${port}`), opened)).toEqual({
      ok: false,
      error: "finding the page of inc-7: ECONNREFUSED",
      permanent: false,
    });
    const { notion: n, root } = await standIn();
    n.force({ status: 302, headers: { location: "http://elsewhere.invalid/" }, body: "" });
    expect(await deliver(config(root), opened)).toMatchObject({ ok: false, permanent: true });
    n.force({ status: 200, headers: { "content-type": "text/html" }, body: "<html>sign in</html>" });
    expect(await deliver(config(root), opened)).toMatchObject({ ok: false, permanent: false });
    expect(n.pages).toEqual([]);
  });

  it("an error that echoes the Authorization header is told without the token", async () => {
    const { notion: n, root } = await standIn();
    n.force({ status: 400, body: `bad header: Authorization: Bearer ${token}` });
    const d = await deliver(config(root), opened);
    expect(d).toMatchObject({ ok: false, permanent: true });
    expect(!d.ok && d.error).toBe(
      "finding the page of inc-7: HTTP 400: bad header: Authorization: Bearer <token>",
    );
  });

  it("no error seen in this file holds the token", () => {
    expect(errors.length).toBeGreaterThan(5);
    for (const e of errors) expect(e).not.toContain(token);
  });
});

describe("notion: doctor reads the database", () => {
  const check = (cfg: NotionConfig) => {
    const plan = notion.doctor(cfg);
    if (!("verify" in plan)) throw new Error("notion's doctor verifies");
    return plan.verify("notify.channels.board.notion", 2_000);
  };

  it("the token opens the database and its properties are there", async () => {
    const { notion: n, root } = await standIn();
    expect(await check(config(root))).toEqual({
      ok: true,
      detail:
        'the integration opens the database "Status board", which has the properties it needs; nothing sent (--send sends a test message)',
    });
    expect(n.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v1/databases/${databaseId}`]);
    expect(n.pages).toEqual([]);
  });

  it("says which setting to fix: the token, a property, a status option, the address", async () => {
    const { root } = await standIn({
      Name: { type: "title" },
      Incident: { type: "select" },
      Status: { type: "status", options: ["Open", "Done"] },
    });
    const fixes = [
      await check(config(root, { token: "ntn_some_other_secret_value_99" })),
      await check(config(root)),
      await check(config(root, { incident_property: "Name" })),
      await check(config(root, { database_id: "ffffffff-ffff-ffff-ffff-ffffffffffff" })),
    ];
    expect(fixes.map((c) => !c.ok && c.fix)).toEqual([
      "the token is not valid: copy the integration's secret into notify.channels.board.notion.token",
      'add a Text property "Incident" to the database, or set notify.channels.board.notion.incident_property',
      'add a Text property "Name" to the database, or set notify.channels.board.notion.incident_property',
      "share the database with the integration (in Notion: ••• → Connections), or fix notify.channels.board.notion.database_id",
    ]);
    const { root: root2 } = await standIn({
      Name: { type: "title" },
      Incident: { type: "rich_text" },
      Status: { type: "status", options: ["Open", "Done"] },
    });
    expect(await check(config(root2, { status_type: "status" }))).toEqual({
      ok: false,
      what: 'the status property "Status" has no option "Resolved" (the API cannot add one)',
      fix: 'add the option "Resolved" in Notion, or set notify.channels.board.notion.status_resolved to one of: Open, Done',
    });
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const closed = await check(config(nobody));
    expect(closed).toEqual({
      ok: false,
      what: `${nobody}: reading the database: ECONNREFUSED`,
      fix: `check that ${nobody} is reachable from this machine (notify.channels.board.notion.api_root)`,
    });
    for (const c of [...fixes, closed]) expect(JSON.stringify(c)).not.toContain(token);
  });
});

describe("notion: the settings in vigil.yaml", () => {
  const file = "/tmp/vigil.yaml";
  const yaml = (settings: string) =>
    `notify:\n  channels:\n    board: { notion: { ${settings} } }\n  routes:\n    - { to: [board] }\n`;

  it("a notion channel loads, with the defaults filled in and the token a secret", () => {
    const r = loadConfigText(yaml(`token: "\${NOTION_TOKEN}", database_id: "${databaseId}"`), file, {
      NOTION_TOKEN: token,
    });
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(r.config.notify.channels.board).toEqual({
      notion: {
        token,
        database_id: databaseId,
        api_root: "https://api.notion.com",
        notion_version: version,
        title_property: "Name",
        incident_property: "Incident",
        status_property: "Status",
        status_type: "select",
        status_open: "Open",
        status_resolved: "Resolved",
      },
    });
    expect(r.secrets).toContain(token);
  });

  it("a missing or malformed setting is named with its line and the fix", () => {
    const problems = (text: string) => {
      const r = loadConfigText(text, file, {});
      if (r.ok) throw new Error("expected problems, the config loaded");
      return r.problems.map(formatProblem);
    };
    expect(problems(yaml(`token: "${token}"`))).toEqual([
      expect.stringMatching(/^\/tmp\/vigil\.yaml:3:\d+ notify\.channels\.board\.notion\.database_id: /),
    ]);
    expect(problems(yaml(`token: "${token}", database_id: "https://www.notion.so/x"`))).toEqual([
      expect.stringContaining(
        "notify.channels.board.notion.database_id: the database's id: the 32 hex characters before ?v= in its URL",
      ),
    ]);
    expect(problems(yaml(`token: "${token}", database_id: "${databaseId}", status_type: checkbox`))).toEqual([
      expect.stringContaining("notify.channels.board.notion.status_type"),
    ]);
  });

  it("vigil notify test through a loaded notion channel makes the test page", async () => {
    const { notion: n, root } = await standIn();
    const r = loadConfigText(
      yaml(`token: "${token}", database_id: "${databaseId}", api_root: "${root}"`),
      file,
      {},
    );
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join("\n"));
    expect(await testChannel(r.config.notify, "board", at)).toMatchObject({ ok: true, type: "notion" });
    expect(n.shown(n.pages[0]!)).toMatchObject({ title: "Vigil test message", status: "Resolved" });
  });
});
