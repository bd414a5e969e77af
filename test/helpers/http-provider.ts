/**
 * The classification suite every provider that POSTs over HTTP passes, against real receivers on
 * 127.0.0.1: what is delivered, what is permanent, what is retried and when. Called from each such
 * provider's own test file, with a config pointing at a receiver and the path it must post to.
 */
import { describe, expect, it } from "vitest";
import type { Delivery, Provider } from "../../src/notify/provider.ts";
import { freePort } from "./net.ts";
import { opts, outgoing, receiver } from "./receiver.ts";

export function describeHttpOutcomes(
  name: string,
  provider: Pick<Provider<never>, "deliver">,
  /** The provider's settings (as parsed) posting to `base`, a receiver's `http://127.0.0.1:<port>`. */
  config: (base: string) => unknown,
  /** The path the provider posts to under that config. */
  path: string,
): void {
  describe(`${name}: how the outcome is classified`, () => {
    const send = (base: string, timeoutMs = opts.timeoutMs): Promise<Delivery> =>
      provider.deliver(config(base) as never, outgoing(), { ...opts, timeoutMs });

    it("a 2xx is delivered, as one POST to the configured path", async () => {
      const r = await receiver({ status: 204 });
      expect(await send(r.url)).toEqual({ ok: true });
      expect(r.hits.map((h) => [h.method, h.path])).toEqual([["POST", path]]);
    });

    it("the audit anchor goes out with it, even when the text is cut", async () => {
      const r = await receiver({ status: 204 });
      const long = outgoing({ text: "x".repeat(100_000), audit_anchor: "seq 1372 #ab12cd34" });
      expect(await provider.deliver(config(r.url) as never, long, opts)).toEqual({ ok: true });
      expect(r.hits[0]!.body).toContain("seq 1372 #ab12cd34");
    });

    it("a 404 is permanent, with the receiver's reason", async () => {
      const r = await receiver({
        status: 404,
        headers: { "content-type": "text/plain" },
        body: "no_service",
      });
      expect(await send(r.url)).toEqual({ ok: false, error: "HTTP 404: no_service", permanent: true });
    });

    it("a 400 is permanent: the same request would be refused again", async () => {
      const r = await receiver({
        status: 400,
        headers: { "content-type": "application/json" },
        body: '{"message": "Invalid payload"}',
      });
      expect(await send(r.url)).toEqual({
        ok: false,
        error: 'HTTP 400: {"message": "Invalid payload"}',
        permanent: true,
      });
      expect(r.hits).toHaveLength(1);
    });

    it("a 429 is transient and honours Retry-After", async () => {
      const r = await receiver({ status: 429, headers: { "retry-after": "7" } });
      expect(await send(r.url)).toEqual({
        ok: false,
        error: "HTTP 429",
        permanent: false,
        retryAfterMs: 7_000,
      });
    });

    it("a 500 is transient, with the receiver's reason", async () => {
      const r = await receiver({
        status: 500,
        headers: { "content-type": "text/plain" },
        body: "internal error",
      });
      expect(await send(r.url)).toEqual({ ok: false, error: "HTTP 500: internal error", permanent: false });
    });

    it("a 503 is transient", async () => {
      const r = await receiver({
        status: 503,
        headers: { "content-type": "text/html" },
        body: "<html>down</html>",
      });
      expect(await send(r.url)).toEqual({ ok: false, error: "HTTP 503", permanent: false });
    });

    it("a redirect is not followed and is permanent", async () => {
      const r = await receiver({ status: 302, headers: { location: "/elsewhere" } });
      const d = await send(r.url);
      expect(d).toMatchObject({ ok: false, permanent: true });
      expect(r.hits).toHaveLength(1);
    });

    it("a receiver that never answers is a transient failure at the timeout", async () => {
      const r = await receiver("hang");
      expect(await send(r.url, 300)).toEqual({
        ok: false,
        error: "no answer within 300 ms",
        permanent: false,
      });
    });

    it("a refused connection is transient", async () => {
      const port = await freePort();
      expect(await send(`http://127.0.0.1:${port}`)).toEqual({
        ok: false,
        error: "ECONNREFUSED",
        permanent: false,
      });
    });
  });
}
