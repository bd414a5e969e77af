/**
 * The discord provider against a real receiver on 127.0.0.1: the HTTP classification every provider
 * that POSTs passes, and the embed: mentions disabled, coloured by kind, within Discord's limits, and
 * Discord's own way of saying how long to wait.
 */
import { afterEach, describe, expect, it } from "vitest";
import { describeHttpOutcomes } from "../../../test/helpers/http-provider.ts";
import { closeReceivers, opts, outgoing, receiver } from "../../../test/helpers/receiver.ts";
import { hugeMessage, incidentMessage } from "../../../test/helpers/incident-message.ts";
import discord, { discordColor, discordPayload } from "./discord.ts";

afterEach(closeReceivers);

describeHttpOutcomes(
  "discord",
  discord,
  (u) => ({ webhook_url: `${u}/api/webhooks/1/t` }),
  "/api/webhooks/1/t",
);

describe("discord", () => {
  it("sends one embed and allows no mentions", async () => {
    const r = await receiver({ status: 204 });
    const d = await discord.deliver(
      { webhook_url: `${r.url}/api/webhooks/1/t` },
      outgoing({ text: "@everyone look" }),
      opts,
    );
    expect(d).toEqual({ ok: true });
    expect(JSON.parse(r.hits[0]!.body)).toEqual({
      embeds: [
        {
          title: "web-1 is down",
          description: "@everyone look",
          color: 0xd32f2f,
          timestamp: "2026-01-02T03:04:05.000Z",
          footer: { text: "web-1 · incident.opened · inc-7" },
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it("colours by kind and clips to Discord's limits", async () => {
    expect(["incident.opened", "incident.escalated", "incident.storm"].map(discordColor)).toEqual([
      0xd32f2f, 0xd32f2f, 0xd32f2f,
    ]);
    expect(discordColor("incident.resolved")).toBe(0x2e7d32);
    expect(discordColor("approval.requested")).toBe(0xffa000);
    const r = await receiver({ status: 204 });
    await discord.deliver(
      { webhook_url: r.url },
      outgoing({ title: "x".repeat(300), text: "y".repeat(5_000) }),
      opts,
    );
    const embed = (JSON.parse(r.hits[0]!.body) as { embeds: { title: string; description: string }[] })
      .embeds[0]!;
    expect([embed.title.length, embed.description.length]).toEqual([256, 4_096]);
  });

  it("a 429 with only a JSON retry_after (fractional seconds) sets retryAfterMs", async () => {
    const r = await receiver({
      status: 429,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "You are being rate limited.", retry_after: 1.234, global: false }),
    });
    const d = await discord.deliver({ webhook_url: r.url }, outgoing(), opts);
    expect(d).toMatchObject({ ok: false, permanent: false, retryAfterMs: 1_234 });
  });

  it("the Retry-After header wins over the JSON body", async () => {
    const r = await receiver({ status: 429, headers: { "retry-after": "3" }, body: '{"retry_after": 9}' });
    expect(await discord.deliver({ webhook_url: r.url }, outgoing(), opts)).toMatchObject({
      retryAfterMs: 3_000,
    });
  });

  it("an incident's context in the description, within 4096 however long its parts", () => {
    type Embed = { embeds: { description: string }[] };
    const d = (discordPayload(incidentMessage) as Embed).embeds[0]!.description;
    expect(d).toContain("[STATUS] (500) == 200");
    for (const part of [
      "Since: 2026-12-06 03:02:00 UTC",
      "Last 7 results: ✓✓✗✗✓✗✗",
      "running again (pid 4242)",
      "Next: clean-logs (attempt 2 of 3)",
      "Incident page: https://vigil.example.com/incidents/",
    ])
      expect(d).toContain(part);
    const huge = (discordPayload(hugeMessage()) as Embed).embeds[0]!.description;
    expect([...huge].length).toBeLessThanOrEqual(4096);
    expect(huge).toContain("Next: escalated: nothing more will run");
  });
});
