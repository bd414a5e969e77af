/**
 * An approval card once decided. Telegram hands a pressed button's message back as plain text with
 * entities (the bold title, the link), not as the HTML it was sent in; editing with that text alone
 * would drop the formatting, so the entities go back with it and the outcome is appended after them.
 */
/** Telegram's limit for one message's text, counted as JavaScript counts (UTF-16 units). */
const maxText = 4096;

/** A message's text and entities (grammY's MessageEntity; only the span matters here). */
export interface CardText<E extends Span = Span> {
  text: string;
  entities: E[];
}
interface Span {
  offset: number;
  length: number;
}

/**
 * The card as shown, with the outcome below it. When both do not fit, the card's end is cut (an
 * ellipsis marks it, entities end at the cut) so the outcome is always read.
 */
export function decidedCard<E extends Span>(
  card: Partial<CardText<E>> | undefined,
  outcome: string,
): CardText<E> {
  const told = outcome.slice(0, 1_000);
  const original = card?.text ?? "";
  if (original === "") return { text: told, entities: [] };
  const room = maxText - told.length - 2;
  let cut = original.length;
  let text = original;
  if (original.length > room) {
    cut = room - 1;
    // Half a surrogate pair would be an invalid character.
    if (/[\uD800-\uDBFF]/.test(original.charAt(cut - 1))) cut--;
    text = `${original.slice(0, cut)}…`;
  }
  const entities = (card?.entities ?? [])
    .filter((e) => e.offset < cut)
    .map((e) => ({ ...e, length: Math.min(e.length, cut - e.offset) }));
  return { text: `${text}\n\n${told}`, entities };
}
