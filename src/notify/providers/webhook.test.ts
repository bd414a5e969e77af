/**
 * The webhook provider against a real receiver on 127.0.0.1: the HTTP classification every provider
 * that POSTs passes, and the request itself: the message as JSON, an Idempotency-Key that is the
 * notification's id, the HMAC signature a receiver can check, and the configured headers.
 */
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { kit } from "../../config/kit.ts";
import { describeHttpOutcomes } from "../../../test/helpers/http-provider.ts";
import { at, closeReceivers, opts, outgoing, receiver } from "../../../test/helpers/receiver.ts";
import { incidentMessage } from "../../../test/helpers/incident-message.ts";
import webhook, { signature } from "./webhook.ts";

afterEach(closeReceivers);

describeHttpOutcomes("webhook", webhook, (u) => ({ url: `${u}/hook`, headers: {} }), "/hook");

describe("webhook", () => {
  const secret = "a-shared-secret-of-some-length";
  const config = (url: string, more: Record<string, unknown> = {}) =>
    webhook.schema(kit).parse({ url: `${url}/hook`, ...more });

  it("posts the message as JSON with the notification's id as Idempotency-Key", async () => {
    const r = await receiver();
    const n = outgoing();
    expect(await webhook.deliver(config(r.url), n, opts)).toEqual({ ok: true });
    const hit = r.hits[0]!;
    expect(JSON.parse(hit.body)).toEqual(n.message);
    expect(hit.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "n-1",
      "user-agent": "vigil",
    });
    expect(hit.headers["x-vigil-signature"]).toBeUndefined();
  });

  it("with a secret, signs exactly the body sent: t=<unix seconds of now>,v1=<HMAC-SHA256>", async () => {
    const r = await receiver();
    await webhook.deliver(config(r.url, { secret }), outgoing(), opts);
    const hit = r.hits[0]!;
    const t = Math.floor(at / 1000);
    const expected = createHmac("sha256", secret).update(`${t}.${hit.body}`).digest("hex");
    expect(hit.headers["x-vigil-signature"]).toBe(`t=${t},v1=${expected}`);
    expect(signature(secret, t, hit.body)).toBe(`t=${t},v1=${expected}`);
  });

  it("the Idempotency-Key and signature stay the same on a retry of the same notification", async () => {
    const r = await receiver();
    const n = outgoing();
    await webhook.deliver(config(r.url, { secret }), n, opts);
    await webhook.deliver(config(r.url, { secret }), n, opts);
    expect(r.hits.map((h) => h.headers["idempotency-key"])).toEqual(["n-1", "n-1"]);
    expect(r.hits[1]!.headers["x-vigil-signature"]).toBe(r.hits[0]!.headers["x-vigil-signature"]);
  });

  it("sends the configured headers, which cannot replace the content type, key or signature", async () => {
    const r = await receiver();
    const headers = {
      authorization: "Bearer abc",
      "content-type": "text/plain",
      "idempotency-key": "mine",
      "x-vigil-signature": "forged",
    };
    await webhook.deliver(config(r.url, { secret, headers }), outgoing(), opts);
    const hit = r.hits[0]!;
    expect(hit.headers).toMatchObject({
      authorization: "Bearer abc",
      "content-type": "application/json",
      "idempotency-key": "n-1",
    });
    expect(hit.headers["x-vigil-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it("refuses a secret shorter than 16 characters and a URL that is not http(s)", () => {
    const schema = webhook.schema(kit);
    expect(schema.safeParse({ url: "https://h.example/x", secret: "short" }).success).toBe(false);
    expect(schema.safeParse({ url: "ftp://h.example/x" }).success).toBe(false);
    expect(schema.parse({ url: "https://h.example/x" })).toEqual({ url: "https://h.example/x", headers: {} });
  });

  it("an incident's context goes as JSON fields, the last results also as the line people read", async () => {
    const r = await receiver();
    await webhook.deliver(config(r.url), { id: "n-7", message: incidentMessage }, opts);
    const body = JSON.parse(r.hits[0]!.body) as typeof incidentMessage;
    expect(body.context).toEqual({ ...incidentMessage.context, results_line: "✓✓✗✗✓✗✗" });
    expect(body.context!.next).toEqual({
      what: "clean-logs (attempt 2 of 3)",
      at: incidentMessage.context!.next.at,
      final: false,
    });
    expect(body.context!.url).toBe(
      "https://vigil.example.com/incidents/5b0c7a52-3d1e-4c55-9a57-0e8f3c1d2a10",
    );
  });
});
