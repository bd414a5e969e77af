/**
 * A local server that speaks the Telegram Bot API over HTTP (getMe, getChat, deleteWebhook, getUpdates
 * with long polling, sendMessage, editMessageText, answerCallbackQuery), on 127.0.0.1. Tests push
 * updates as if people typed or pressed buttons, and read back every call the bot made. Message text
 * is parsed as Telegram parses it (bot-html.ts): a press carries the message back as plain text and
 * entities, and `shown` is what the chat displays.
 */
import http from "node:http";
import type net from "node:net";
import { renderBody, type Rendered } from "./bot-html.ts";

export interface Call {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

interface Update {
  update_id: number;
  message?: unknown;
  callback_query?: unknown;
}

export interface Person {
  id: number;
  first_name: string;
  username?: string;
}

export class BotApiServer {
  readonly calls: Call[] = [];
  readonly token: string;
  readonly #server: http.Server;
  readonly #updates: Update[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #failNext = new Map<string, { status: number; body: Record<string, unknown> }[]>();
  /** The long poll in progress, which a second poller's request ends with 409, as Telegram does. */
  #polling: (() => void) | undefined;
  /** getUpdates requests ended by another poller's: more than one bot instance polled this token. */
  conflicts = 0;
  /** Each message as the chat shows it, by message id. */
  readonly #shown = new Map<number, Rendered>();
  #nextUpdate = 1;
  #nextMessage = 100;
  url = "";

  constructor(token: string) {
    this.token = token;
    this.#server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (d: Buffer) => (raw += d.toString()));
      req.on("end", () => void this.#answer(req, res, raw));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.#server.address() as net.AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    for (const w of this.#waiters) w();
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }

  /** The next call of `method` fails this way (queued: several calls, several failures). */
  failNext(method: string, status: number, body: Record<string, unknown>): void {
    this.#failNext.set(method, [...(this.#failNext.get(method) ?? []), { status, body }]);
  }

  /** Someone types `text` in the chat. */
  type(chatId: number, from: Person, text: string): void {
    const command = /^\/\w+/.exec(text);
    this.#push({
      message: {
        message_id: this.#nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatId < 0 ? "supergroup" : "private", title: "ops" },
        from: { is_bot: false, ...from },
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      },
    });
  }

  /** What the chat shows for a message the bot sent: its text and entities after any edit. */
  shown(messageId: unknown): Rendered | undefined {
    return this.#shown.get(Number(messageId));
  }

  /** Someone presses an inline button under a message the bot sent; Telegram hands back the text as shown. */
  press(from: Person, sent: Call, data: string): void {
    const body = sent.body;
    const shown = this.shown(body.message_id);
    this.#push({
      callback_query: {
        id: String(this.#nextUpdate * 1000),
        from: { is_bot: false, ...from },
        chat_instance: "ci",
        data,
        message: {
          message_id: body.message_id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(body.chat_id), type: "supergroup", title: "ops" },
          text: shown?.text ?? body.text,
          ...(shown && shown.entities.length > 0 ? { entities: shown.entities } : {}),
        },
      },
    });
  }

  sent(method = "sendMessage"): Call[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call matching, polling the record (bounded by `timeoutMs`). */
  async waitFor(match: (c: Call) => boolean, timeoutMs = 10_000): Promise<Call> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const c = this.calls.find(match);
      if (c) return c;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `no matching Bot API call within ${timeoutMs} ms; calls: ${JSON.stringify(this.calls.map((c) => c.method))}`,
    );
  }

  #push(u: Omit<Update, "update_id">): void {
    this.#updates.push({ update_id: this.#nextUpdate++, ...u });
    for (const w of this.#waiters) w();
  }

  async #answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!m || m[1] !== this.token) {
      return send(401, { ok: false, error_code: 401, description: "Unauthorized" });
    }
    const method = m[2]!;
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const failure = this.#failNext.get(method)?.shift();
    if (failure) {
      this.calls.push({ method: `${method}:failed`, body, at: Date.now() });
      return send(failure.status, failure.body);
    }
    let shown: Rendered | undefined;
    if (method === "sendMessage" || method === "editMessageText") {
      try {
        shown = renderBody(body);
      } catch (e) {
        this.calls.push({ method: `${method}:failed`, body, at: Date.now() });
        const description = `Bad Request: ${(e as Error).message}`;
        return send(400, { ok: false, error_code: 400, description });
      }
    }
    if (method !== "getUpdates") this.calls.push({ method, body, at: Date.now() });
    switch (method) {
      case "getMe":
        return send(200, {
          ok: true,
          result: { id: 4242, is_bot: true, first_name: "Vigil", username: "vigil_test_bot" },
        });
      case "getChat":
        return send(200, {
          ok: true,
          result: { id: Number(body.chat_id), type: "supergroup", title: "ops" },
        });
      case "deleteWebhook":
      case "answerCallbackQuery":
        return send(200, { ok: true, result: true });
      case "sendMessage": {
        const message_id = this.#nextMessage++;
        body.message_id = message_id;
        this.#shown.set(message_id, shown!);
        const chat = { id: Number(body.chat_id), type: "supergroup", title: "ops" };
        return send(200, { ok: true, result: { message_id, date: 0, chat, ...shown } });
      }
      case "editMessageText":
        this.#shown.set(Number(body.message_id), shown!);
        return send(200, {
          ok: true,
          result: {
            message_id: body.message_id,
            date: 0,
            chat: { id: Number(body.chat_id), type: "supergroup" },
            ...shown,
          },
        });
      case "getUpdates": {
        const updates = await this.#poll(body, req);
        if (updates === "conflict") {
          this.conflicts++;
          return send(409, {
            ok: false,
            error_code: 409,
            description:
              "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
          });
        }
        return send(200, { ok: true, result: updates });
      }
      default:
        return send(404, { ok: false, error_code: 404, description: `Not Found: method ${method}` });
    }
  }

  /** Long polling: answer at once when updates past `offset` exist, else when one arrives or time is up. */
  async #poll(body: Record<string, unknown>, req: http.IncomingMessage): Promise<Update[] | "conflict"> {
    const offset = Number(body.offset ?? 0);
    // Telegram forgets what an offset confirms.
    while (this.#updates.length > 0 && this.#updates[0]!.update_id < offset) this.#updates.shift();
    this.#polling?.();
    if (this.#updates.length === 0 && Number(body.timeout ?? 0) > 0) {
      let conflict = false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(done);
          req.socket.off("close", done);
          if (this.#polling === ended) this.#polling = undefined;
          resolve();
        };
        const ended = () => {
          conflict = !req.socket.destroyed;
          done();
        };
        const timer = setTimeout(done, Number(body.timeout) * 1000);
        this.#waiters.add(done);
        this.#polling = ended;
        req.socket.once("close", done);
      });
      if (conflict) return "conflict";
    }
    return this.#updates.slice(0, Number(body.limit ?? 100));
  }
}
