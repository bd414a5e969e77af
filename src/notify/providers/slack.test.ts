/**
 * The slack provider against a real receiver on 127.0.0.1: the HTTP classification every provider
 * that POSTs passes, and the Block Kit body: escaped so a log line pings nobody, within Slack's limits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeHttpOutcomes } from "../../../test/helpers/http-provider.ts";
import { closeReceivers, opts, outgoing, receiver } from "../../../test/helpers/receiver.ts";
import type { Outgoing } from "../provider.ts";
import { context, hugeMessage, incidentMessage } from "../../../test/helpers/incident-message.ts";
import slack, { slackPayload } from "./slack.ts";

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

describe("slack: an incident's message", () => {
  type Block = {
    type: string;
    text?: { text: string };
    fields?: { text: string }[];
    elements?: { url?: string; text?: unknown }[];
  };
  const texts = (blocks: Block[]) =>
    blocks.flatMap((b) => [b.text?.text ?? "", ...(b.fields ?? []).map((f) => f.text)]).join("\n");

  it("a section of fields for since, last results and next, one for what was tried, a button to the page", () => {
    const blocks = slackPayload(incidentMessage).blocks as Block[];
    expect(blocks.map((b) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "section",
      "actions",
      "context",
    ]);
    expect(blocks[2]!.fields!.map((f) => f.text)).toEqual([
      "*Since*\n2026-12-06 03:02:00 UTC",
      "*Last 7 results*\n✓✓✗✗✓✗✗ (oldest first)",
      "*Next*\nclean-logs (attempt 2 of 3) at 03:03:40 UTC",
    ]);
    expect(blocks[3]!.text!.text).toBe(
      "*Tried*\n03:02:01 automatic restart (exited with code 1): running again (pid 4242)\n03:02:40 restart (attempt 1): failed: web did not recover within verify_within (120000 ms)",
    );
    expect(blocks[4]!.elements![0]).toMatchObject({ url: context.url });
    expect(texts(blocks)).toContain("[STATUS] (500) == 200");
  });

  it("huge parts: every section within 3000, every field within 2000, entities whole, the newest tries kept", () => {
    const blocks = slackPayload(hugeMessage()).blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) {
      if (b.text) expect([...b.text.text].length).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect([...f.text].length).toBeLessThanOrEqual(2000);
    }
    // The header is plain_text, which Slack does not parse: only the mrkdwn is escaped.
    const all = texts(blocks.slice(1));
    expect(all.match(/&(?!(amp|lt|gt);)/g)).toBeNull();
    expect(all).not.toMatch(/<(?!!)/);
    const tried = blocks.find((b) => b.text?.text.startsWith("*Tried (newest)*"))!;
    expect(tried.text!.text).toContain("restart (attempt 10)");
    expect(tried.text!.text).not.toContain("restart (attempt 1) ");
    expect(all).toContain("*Next*\nescalated: nothing more will run");
  });
});
