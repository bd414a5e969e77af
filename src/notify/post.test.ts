/**
 * The POST every HTTP provider shares, against real receivers on 127.0.0.1: how an answer (or its
 * absence) is classified for the outbox, what of the receiver's reason is kept, and that the URL,
 * which for Slack and Discord is the secret, never gets into an error. And `clip`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../test/helpers/net.ts";
import { closeReceivers, receiver, silentServer, type Reply } from "../../test/helpers/receiver.ts";
import { clip, post, postJson } from "./post.ts";

afterEach(closeReceivers);

const secretPath = "/services/T000/B000/secret-part";
const send = async (reply: Reply, timeoutMs = 2_000) => {
  const r = await receiver(reply);
  return { d: await post(`${r.url}${secretPath}`, {}, "body", timeoutMs), hits: r.hits };
};

describe("clip", () => {
  it("never splits an emoji", () => {
    expect(clip("ab🔥🔥", 3)).toBe("ab…");
    expect(clip("🔥🔥🔥", 3)).toBe("🔥🔥🔥");
  });

  it("leaves text within the limit alone, and a cut one is exactly max characters", () => {
    expect(clip("", 3)).toBe("");
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
    expect([...clip("é".repeat(500), 256)]).toHaveLength(256);
  });
});

describe("post", () => {
  it("sends the body with the given headers and no others it was not asked for", async () => {
    const r = await receiver({ status: 200, body: "ok" });
    const d = await post(`${r.url}/x?q=1`, { "x-one": "1" }, "hello", 2_000);
    expect(d).toEqual({ ok: true });
    expect(r.hits).toHaveLength(1);
    expect([r.hits[0]!.method, r.hits[0]!.path, r.hits[0]!.body]).toEqual(["POST", "/x?q=1", "hello"]);
    expect(r.hits[0]!.headers["x-one"]).toBe("1");
  });

  it("postJson sets the JSON content type unless the caller names another", async () => {
    const r = await receiver({ status: 204 });
    await postJson(r.url, {}, "{}", 2_000);
    await postJson(r.url, { "content-type": "application/cloudevents+json" }, "{}", 2_000);
    expect(r.hits.map((h) => h.headers["content-type"])).toEqual([
      "application/json",
      "application/cloudevents+json",
    ]);
  });

  it.each([200, 201, 202, 204])("a %i is delivered", async (status) => {
    expect((await send({ status })).d).toEqual({ ok: true });
  });

  it.each([400, 401, 403, 404, 410, 413, 422])("a %i is permanent", async (status) => {
    expect((await send({ status })).d).toEqual({ ok: false, error: `HTTP ${status}`, permanent: true });
  });

  it.each([408, 429, 500, 502, 503, 504])("a %i is transient", async (status) => {
    expect((await send({ status })).d).toEqual({ ok: false, error: `HTTP ${status}`, permanent: false });
  });

  it.each([301, 302, 303, 307, 308])(
    "a %i is not followed, is permanent and says to configure the final URL",
    async (status) => {
      const { d, hits } = await send({ status, headers: { location: "/elsewhere" } });
      expect(d).toEqual({
        ok: false,
        error: `HTTP ${status}: redirects are not followed; configure the final URL`,
        permanent: true,
      });
      expect(hits).toHaveLength(1);
    },
  );

  it("keeps the receiver's reason on one line, at most 200 characters, but not an HTML page", async () => {
    expect((await send({ status: 404, body: "no_service\n  for this\tteam\n" })).d).toMatchObject({
      error: "HTTP 404: no_service for this team",
    });
    const long = (await send({ status: 500, body: "x".repeat(5_000) })).d;
    expect(!long.ok && long.error).toBe(`HTTP 500: ${"x".repeat(200)}…`);
    const html = await send({
      status: 502,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: "<html><body>Bad gateway</body></html>",
    });
    expect(html.d).toEqual({ ok: false, error: "HTTP 502", permanent: false });
  });

  it("Retry-After in seconds sets retryAfterMs on any status; zero, negative or a date is ignored", async () => {
    expect((await send({ status: 503, headers: { "retry-after": "2.5" } })).d).toMatchObject({
      permanent: false,
      retryAfterMs: 2_500,
    });
    for (const value of ["0", "-3", "Wed, 21 Oct 2026 07:28:00 GMT"]) {
      const { d } = await send({ status: 429, headers: { "retry-after": value } });
      expect(d).toEqual({ ok: false, error: "HTTP 429", permanent: false });
    }
  });

  it("a JSON retry_after counts on a 429 only, and the header wins over it", async () => {
    const body = JSON.stringify({ retry_after: 1.234 });
    expect((await send({ status: 429, body })).d).toMatchObject({ retryAfterMs: 1_234 });
    expect((await send({ status: 503, body })).d).not.toHaveProperty("retryAfterMs");
    expect((await send({ status: 429, headers: { "retry-after": "3" }, body })).d).toMatchObject({
      retryAfterMs: 3_000,
    });
  });

  it("a refused connection is transient, and the error holds nothing of the URL", async () => {
    const port = await freePort();
    const d = await post(`http://127.0.0.1:${port}${secretPath}`, {}, "b", 2_000);
    expect(d).toEqual({ ok: false, error: "ECONNREFUSED", permanent: false });
  });

  // fetch refuses a URL with credentials, quoting the whole URL in its error: post sends them as
  // Basic auth instead, and scrubs the URL from any error.
  it("a URL with credentials delivers with them as Basic auth, and never puts them in an error", async () => {
    const r = await receiver({ status: 204 });
    const d = await post(`http://user:pw-secret@127.0.0.1:${r.port}${secretPath}`, {}, "b", 2_000);
    expect(d).toEqual({ ok: true });
    expect(r.hits[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("user:pw-secret").toString("base64")}`,
    );
    const closed = await freePort();
    const failed = await post(`http://user:pw-secret@127.0.0.1:${closed}${secretPath}`, {}, "b", 2_000);
    expect(JSON.stringify(failed)).not.toContain("pw-secret");
    expect(JSON.stringify(failed)).not.toContain("secret-part");
  });

  it("a receiver that accepts and never answers is transient at the timeout", async () => {
    const silent = await silentServer();
    const started = performance.now();
    const d = await post(`http://127.0.0.1:${silent.port}${secretPath}`, {}, "b", 300);
    expect(d).toEqual({ ok: false, error: "no answer within 300 ms", permanent: false });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(silent.accepted()).toBe(1);
  });

  it("a receiver that reads the request and never answers is transient at the timeout", async () => {
    const r = await receiver("hang");
    expect(await post(`${r.url}${secretPath}`, {}, "b", 300)).toEqual({
      ok: false,
      error: "no answer within 300 ms",
      permanent: false,
    });
    expect(r.hits).toHaveLength(1);
  });

  it("a URL that is not one is transient, and the error does not quote it", async () => {
    const d = await post(`http://[bad${secretPath}`, {}, "b", 2_000);
    expect(d).toMatchObject({ ok: false, permanent: false });
    expect(JSON.stringify(d)).not.toContain("secret-part");
  });
});
