/** A decided approval card: the formatting kept, the outcome always read, Telegram's 4096 kept. */
import { describe, expect, it } from "vitest";
import { renderBody } from "../../test/helpers/bot-html.ts";
import { decidedCard } from "./telegram-card.ts";

describe("decidedCard", () => {
  it("appends the outcome after the card's own text and entities", () => {
    const card = renderBody({
      text: '<b>Approval needed</b>\n\nsee <a href="https://x/1">it</a>',
      parse_mode: "HTML",
    });
    const out = decidedCard(card, "Rejected by telegram:1: x will not run.");
    expect(out.text).toBe("Approval needed\n\nsee it\n\nRejected by telegram:1: x will not run.");
    expect(out.entities).toEqual(card.entities);
    expect(renderBody(out)).toEqual(out);
  });

  it("cuts a full card's end, never the outcome, and ends entities at the cut", () => {
    const card = renderBody({
      text: `<b>${"a".repeat(100)}</b>${"b".repeat(3_900)}<b>${"😀".repeat(40)}</b>`,
      parse_mode: "HTML",
    });
    expect(card.text.length).toBe(4_080);
    const outcome = "Approved by telegram:1: x runs (run r-1).";
    const out = decidedCard(card, outcome);
    expect(out.text.length).toBeLessThanOrEqual(4_096);
    expect(out.text.endsWith(`…\n\n${outcome}`)).toBe(true);
    expect(out.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // Telegram accepts it: every entity lies inside the text.
    expect(() => renderBody(out)).not.toThrow();
    expect(out.entities[0]).toEqual({ type: "bold", offset: 0, length: 100 });
    const last = out.entities.at(-1)!;
    expect(last.offset + last.length).toBeLessThanOrEqual(out.text.indexOf("…"));
  });

  it("an inaccessible message (no text) becomes the outcome alone", () => {
    expect(decidedCard(undefined, "Rejected.")).toEqual({ text: "Rejected.", entities: [] });
  });
});
