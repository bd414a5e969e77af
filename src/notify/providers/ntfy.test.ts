/**
 * The ntfy provider against a real receiver on 127.0.0.1: the HTTP classification every provider that
 * POSTs passes, and the push itself: a plain body to `<url>/<topic>`, Title, Priority and Tags by kind,
 * a non-ASCII title encoded rather than thrown on, the body within ntfy's message limit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeHttpOutcomes } from "../../../test/helpers/http-provider.ts";
import { closeReceivers, opts, outgoing, receiver } from "../../../test/helpers/receiver.ts";
import { hugeMessage, incidentMessage } from "../../../test/helpers/incident-message.ts";
import ntfy, { encodeHeader } from "./ntfy.ts";

afterEach(closeReceivers);

describeHttpOutcomes("ntfy", ntfy, (u) => ({ url: u, topic: "alerts" }), "/alerts");

describe("ntfy", () => {
  it("posts the text as a plain body with Title, Priority, Tags and the token", async () => {
    const r = await receiver();
    const d = await ntfy.deliver({ url: `${r.url}/`, topic: "alerts", token: "tk_abc" }, outgoing(), opts);
    expect(d).toEqual({ ok: true });
    const hit = r.hits[0]!;
    expect([hit.method, hit.path, hit.body]).toEqual(["POST", "/alerts", "GET /health: connection refused"]);
    expect(hit.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      title: "web-1 is down",
      priority: "4",
      tags: "rotating_light",
      authorization: "Bearer tk_abc",
    });
  });

  it.each([
    ["incident.escalated", "5", "rotating_light"],
    ["incident.storm", "5", "rotating_light"],
    ["approval.requested", "5", "raising_hand"],
    ["incident.resolved", "2", "white_check_mark"],
    ["action.finished", "3", "warning"],
  ])("%s has priority %s and tag %s, and no token means no Authorization", async (kind, priority, tags) => {
    const r = await receiver();
    await ntfy.deliver({ url: `${r.url}/base`, topic: "ops" }, outgoing({ kind }), opts);
    expect(r.hits[0]!.path).toBe("/base/ops");
    expect(r.hits[0]!.headers).toMatchObject({ priority, tags });
    expect(r.hits[0]!.headers.authorization).toBeUndefined();
  });

  it("sends a non-ASCII title as an RFC 2047 encoded word instead of throwing", async () => {
    const r = await receiver();
    const title = "db → replica lag 🔥\r\nInjected: yes";
    expect(await ntfy.deliver({ url: r.url, topic: "alerts" }, outgoing({ title }), opts)).toEqual({
      ok: true,
    });
    const sent = String(r.hits[0]!.headers.title);
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(sent);
    expect(Buffer.from(m![1]!, "base64").toString("utf8")).toBe("db → replica lag 🔥 Injected: yes");
    expect(r.hits[0]!.headers.injected).toBeUndefined();
    expect(encodeHeader("plain =?x?= text")).toMatch(/^=\?UTF-8\?B\?/);
  });

  it('sends the title as the body when there is no text, which ntfy would show as "triggered"', async () => {
    const r = await receiver();
    await ntfy.deliver({ url: r.url, topic: "alerts" }, outgoing({ text: " \n" }), opts);
    expect(r.hits[0]!.body).toBe("web-1 is down");
  });

  it("keeps the body under ntfy's 4096-byte message limit", async () => {
    const r = await receiver();
    await ntfy.deliver({ url: r.url, topic: "alerts" }, outgoing({ text: "é".repeat(3_000) }), opts);
    const body = r.hits[0]!.body;
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(4_096);
    expect(body.endsWith("é…")).toBe(true);
  });

  it("an incident's context as labelled lines, within 4096 bytes however long its parts", async () => {
    const r = await receiver();
    await ntfy.deliver({ url: r.url, topic: "alerts" }, { id: "n-7", message: incidentMessage }, opts);
    expect(r.hits[0]!.body).toContain(
      "\n\nSince: 2026-12-06 03:02:00 UTC\nLast 7 results: ✓✓✗✗✓✗✗ (oldest first)\nTried:\n  03:02:01 automatic restart (exited with code 1): running again (pid 4242)",
    );
    expect(r.hits[0]!.body).toContain(
      "Next: clean-logs (attempt 2 of 3) at 03:03:40 UTC\nIncident page: https://vigil.example.com/incidents/",
    );
    await ntfy.deliver({ url: r.url, topic: "alerts" }, { id: "n-8", message: hugeMessage() }, opts);
    const huge = r.hits[1]!.body;
    expect(Buffer.byteLength(huge)).toBeLessThanOrEqual(4_096);
    expect(huge).toContain("Next: escalated: nothing more will run");
    expect(huge.endsWith("\n\naudit seq 1372 #ab12cd34")).toBe(true);
  });
});
