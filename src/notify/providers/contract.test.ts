/**
 * The contract every notification provider keeps, run for each provider found in this folder: nothing
 * to list by hand, so a new `<type>.ts` is held to it the moment it exists. Its example parses and an
 * unknown setting is refused; its schema has a JSON Schema; its secrets are settings it has; doctor
 * has a plan for it; and `deliver`, with every URL of its settings pointed at 127.0.0.1, never throws
 * and fails transiently, within the timeout it is given, without a secret in the error, whether
 * nobody listens or somebody accepts the connection and never answers.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { kit } from "../../config/kit.ts";
import { pluginFiles } from "../../core/plugins.ts";
import { freePort } from "../../../test/helpers/net.ts";
import { at, closeReceivers, outgoing, receiver, silentServer } from "../../../test/helpers/receiver.ts";
import type { Delivery, Provider } from "../provider.ts";
import { providerOf, providers } from "./index.ts";

afterEach(closeReceivers);

const types = providers.names();

/** The timeout `deliver` and doctor's own check get here, and how much later they may return. */
const timeoutMs = 1_000;
const marginMs = 1_500;

/** A URL as written in a setting: scheme, credentials (with their "@"), host[:port], and the rest. */
const urlParts = /^([a-z][a-z\d+.-]*:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/is;

/** Every string in `value` that is a URL, with the setting it is in ("url", "headers.x", "to.0"). */
function urlsIn(value: unknown, field = ""): { field: string; url: string }[] {
  if (typeof value === "string") return urlParts.test(value) ? [{ field, url: value }] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => urlsIn(v, field ? `${field}.${k}` : k));
}

/**
 * `value` with every URL in it pointed at 127.0.0.1:`port`: host and port replaced; scheme,
 * credentials and path kept, as written (no normalising, so a trailing slash stays absent). With
 * `plainHttp`, https becomes http, for a plain HTTP receiver.
 */
function pointAt(value: unknown, port: number, plainHttp = false): unknown {
  if (typeof value === "string")
    return value.replace(
      urlParts,
      (_url, scheme: string, credentials: string | undefined, _host, rest: string) => {
        const s = plainHttp && /^https:/i.test(scheme) ? "http://" : scheme;
        return `${s}${credentials ?? ""}127.0.0.1:${port}${rest}`;
      },
    );
  if (Array.isArray(value)) return value.map((v) => pointAt(v, port, plainHttp));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, pointAt(v, port, plainHttp)]));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(strings);
}

/**
 * What must never appear in an error: every string in a secret setting, and when it is a URL, its
 * credentials and its path too (an error quoting the URL with the host changed would still leak).
 */
function secretsOf(provider: Provider<never>, settings: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of provider.secrets)
    for (const s of strings(settings[name])) {
      out.push(s);
      if (!urlParts.test(s)) continue;
      const u = new URL(s);
      out.push(u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password));
      if (u.pathname.length > 1) out.push(u.pathname);
      if (u.search) out.push(u.search);
    }
  // A two-character string could be anywhere; the examples' secrets are longer.
  return [...new Set(out)].filter((s) => s.length >= 3);
}

function expectNoSecret(outcome: unknown, secrets: string[]): void {
  const text = JSON.stringify(outcome);
  for (const s of secrets) expect(text, `the outcome holds the secret ${JSON.stringify(s)}`).not.toContain(s);
}

describe("the provider registry", () => {
  it("holds every file of the folder but index, each by its file name", () => {
    const files = pluginFiles({
      from: new URL("./index.ts", import.meta.url).href,
      infrastructure: ["index"],
    });
    expect(files.length).toBeGreaterThan(0);
    expect(files.map((f) => path.basename(f, ".ts"))).toEqual(types);
    for (const type of types) expect(providers.get(type)?.type).toBe(type);
  });
});

describe.each(types)("the %s provider", (type) => {
  const provider = providers.get(type)!;
  const schema = provider.schema(kit);
  // An example that does not parse fails its own test below, not the whole file at collection.
  const example = schema.safeParse(provider.example);
  const parsed = (example.success ? example.data : {}) as Record<string, unknown>;
  const secrets = secretsOf(provider, parsed);

  /** `deliver` with `settings`; a throw fails the test, naming the contract it breaks. */
  async function deliver(settings: unknown): Promise<{ d: Delivery; ms: number }> {
    // Settings without a URL pointed here would deliver wherever the provider goes by itself.
    if (urlsIn(settings).length === 0) throw new Error("no URL in the settings to point at 127.0.0.1");
    const started = performance.now();
    let d: Delivery;
    try {
      d = await provider.deliver(settings as never, outgoing(), { timeoutMs, now: at });
    } catch (e) {
      throw new Error(`deliver threw instead of returning a failure: ${String(e)}`, { cause: e });
    }
    return { d, ms: performance.now() - started };
  }

  function expectTransient(d: Delivery, ms: number): void {
    expect(d).toMatchObject({ ok: false, permanent: false });
    expect(!d.ok && typeof d.error === "string" && d.error.length > 0).toBe(true);
    expect(ms).toBeLessThan(timeoutMs + marginMs);
    expectNoSecret(d, secrets);
  }

  it("describes itself, parses its example, refuses an unknown setting, and has a JSON Schema", () => {
    expect(provider.type).toBe(type);
    expect(provider.description.length).toBeGreaterThan(10);
    expect(schema.safeParse(provider.example).success).toBe(true);
    expect(schema.safeParse({ ...provider.example, surely_not_a_setting: 1 }).success).toBe(false);
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
    expect(json).toHaveProperty("type", "object");
    expect(json.properties).toBeTypeOf("object");
    // A channel holding this provider's key and its example is found as this provider.
    const found = providerOf({ [type]: provider.example });
    expect([found.type, found.provider]).toEqual([type, provider]);
  });

  it("names as secrets only settings its schema has", () => {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
    const settings = Object.keys(json.properties ?? {});
    for (const name of provider.secrets) expect(settings).toContain(name);
  });

  it("has a URL in its parsed example, for this suite to point at 127.0.0.1", () => {
    // Without one, the delivery tests below would go wherever the provider sends by itself.
    expect(urlsIn(parsed).length).toBeGreaterThan(0);
    for (const { url } of urlsIn(parsed)) expect(() => new URL(url)).not.toThrow();
  });

  it("plans what doctor does: reach a URL its settings hold, or verify by its own check", () => {
    const plan = provider.doctor(parsed as never);
    if ("reach" in plan) {
      expect(urlsIn(parsed)).toContainEqual({ field: plan.reach.field, url: plan.reach.url });
      // The plan follows the settings, not the example: pointed elsewhere, doctor reaches there.
      const moved = provider.doctor(pointAt(parsed, 9) as never);
      expect("reach" in moved && new URL(moved.reach.url).host).toBe("127.0.0.1:9");
    } else {
      expect(typeof plan.verify).toBe("function");
    }
  });

  it(
    "doctor, against a closed port, says what is wrong and what to fix, without a secret",
    async () => {
      const settings = pointAt(parsed, await freePort()) as never;
      const plan = provider.doctor(settings);
      if ("reach" in plan) {
        // Doctor itself connects to a reach plan's URL (src/doctor): it must be the local one.
        expect(new URL(plan.reach.url).hostname).toBe("127.0.0.1");
        return;
      }
      const started = performance.now();
      const check = await plan.verify(`notify.channels.c.${type}`, timeoutMs);
      expect(check.ok).toBe(false);
      if (!check.ok) expect([check.what.length > 0, check.fix.length > 0]).toEqual([true, true]);
      expectNoSecret(check, secrets);
      // Doctor's own check may take a few waits of the timeout (connect, greeting, login).
      expect(performance.now() - started).toBeLessThan(3 * timeoutMs + marginMs);
    },
    3 * timeoutMs + marginMs + 5_000,
  );

  it(
    "nobody listening: a transient failure, never a throw, promptly, without a secret in the error",
    async () => {
      const { d, ms } = await deliver(pointAt(parsed, await freePort()));
      expectTransient(d, ms);
    },
    timeoutMs + marginMs + 5_000,
  );

  it(
    "a server that accepts and never answers: a transient failure within the timeout, without a secret",
    async () => {
      const silent = await silentServer();
      const { d, ms } = await deliver(pointAt(parsed, silent.port));
      expect(silent.accepted()).toBeGreaterThan(0);
      expectTransient(d, ms);
    },
    timeoutMs + marginMs + 5_000,
  );

  it(
    "over HTTP: an answer of 500 is transient and of 400 permanent, without a secret in the error",
    async () => {
      const plan = provider.doctor(parsed as never);
      for (const [status, permanent] of [
        [500, false],
        [400, true],
      ] as const) {
        // A JSON error body in the shape the Bot API uses, which a plain POST also reads as a reason.
        const body = { ok: false, error_code: status, description: `refused with ${status}` };
        const r = await receiver({
          status,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const { d, ms } = await deliver(pointAt(parsed, r.port, true));
        expect(ms).toBeLessThan(timeoutMs + marginMs);
        expectNoSecret(d, secrets);
        // A provider doctor reaches at an http(s) URL must speak HTTP to it; one that does not
        // (SMTP) waits for a greeting that never comes, and the tests above hold it to the timeout.
        if ("reach" in plan && /^https?:/i.test(plan.reach.url)) expect(r.hits.length).toBeGreaterThan(0);
        if (r.hits.length === 0) continue;
        expect(d).toMatchObject({ ok: false, permanent });
      }
    },
    2 * (timeoutMs + marginMs) + 5_000,
  );
});
