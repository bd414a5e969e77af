/**
 * The slack provider against a real receiver on 127.0.0.1: the HTTP classification every provider
 * that POSTs passes, and the Block Kit body: escaped so a log line pings nobody, within Slack's limits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeHttpOutcomes } from "../../../test/helpers/http-provider.ts";
import { closeReceivers, opts, outgoing, receiver } from "../../../test/helpers/receiver.ts";
import type { Outgoing } from "../provider.ts";
import slack from "./slack.ts";

afterEach(closeReceivers);

describeHttpOutcomes("slack", slack, (u) => ({ webhook_url: `${u}/services/T/B/x` }), "/services/T/B/x");

describe("slack", () => {
  const deliver = async (m: Partial<Outgoing["message"]> = {}) => {
    const r = await receiver();
    const d = await slack.deliver({ webhook_url: `${r.url}/services/T/B/x` }, outgoing(m), opts);
    expect(d).toEqual({ ok: true });
    const hit = r.hits[0]!;
    expect(hit.headers["content-type"]).toBe("application/json");
    return JSON.parse(hit.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
  };

  it("sends text and blocks: a header, the text as mrkdwn, a context line", async () => {
    expect(await deliver()).toEqual({
      text: "web-1 is down: GET /health: connection refused",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "web-1 is down", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "GET /health: connection refused" } },
        {
          type: "context",
          elements: [
            { type: "mrkdwn", text: "*kind:* incident.opened" },
            { type: "mrkdwn", text: "*target:* web-1" },
            { type: "mrkdwn", text: "*incident:* inc-7" },
          ],
        },
      ],
    });
  });

  it("escapes &, < and > so a log line cannot ping <!channel>", async () => {
    const body = await deliver({ text: "<!channel> a & b > c" });
    expect(body.blocks[1]?.text?.text).toBe("&lt;!channel&gt; a &amp; b &gt; c");
    expect(body.text).toBe("web-1 is down: &lt;!channel&gt; a &amp; b &gt; c");
  });

  it("keeps within Block Kit's limits, never cutting an entity in half", async () => {
    const body = await deliver({
      title: "t".repeat(400),
      text: "&".repeat(2_000),
      target: null,
      incident_id: undefined,
    });
    const header = body.blocks[0]?.text?.text ?? "";
    const section = body.blocks[1]?.text?.text ?? "";
    expect([...header]).toHaveLength(150);
    expect(header.endsWith("…")).toBe(true);
    expect(section.length).toBeLessThanOrEqual(3_000);
    expect(section).toMatch(/^(&amp;)+…$/);
    expect(body.blocks[2]).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "*kind:* incident.opened" }],
    });
  });

  it("leaves out the section when there is no text", async () => {
    const body = await deliver({ text: "" });
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "context"]);
  });
});
