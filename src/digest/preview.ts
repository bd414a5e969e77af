/**
 * `vigil digest --preview [--date D]`: the digest of a day made now, as the channels would get it,
 * sent nowhere. Without `notify.digest` it still answers, for UTC, so the digest can be seen before
 * it is configured.
 */
import { VigilError } from "../core/errors.ts";
import type { VigilConfig } from "../config/schema.ts";
import { collectDigest, type Digest, type DigestSources } from "./collect.ts";
import { parseDate, wallClock, yesterday } from "./day.ts";
import { renderDigest, type Section } from "./render.ts";

export interface DigestPreview {
  date: string;
  timezone: string;
  /** Whether notify.digest is set, so that this digest also goes out every day. */
  configured: boolean;
  /** The channels it goes to. */
  to: string[];
  title: string;
  text: string;
  sections: Section[];
  digest: Digest;
}

export async function previewDigest(
  sources: DigestSources,
  notify: VigilConfig["notify"],
  date: string | undefined,
): Promise<DigestPreview> {
  const timezone = notify.digest?.timezone ?? "UTC";
  const now = sources.clock.now();
  const day = date ?? yesterday(now, timezone);
  if (!parseDate(day))
    throw new VigilError(
      "VALIDATION_FAILED",
      `date: a calendar date as YYYY-MM-DD, such as 2026-03-29; got "${day.slice(0, 40)}"`,
    );
  const today = wallClock(now, timezone).date;
  if (day > today)
    throw new VigilError(
      "VALIDATION_FAILED",
      `date: ${day} has not begun yet in ${timezone} (today is ${today}); choose today or an earlier day`,
    );
  const digest = await collectDigest(sources, day, timezone);
  return {
    date: day,
    timezone,
    configured: notify.digest !== undefined,
    to: notify.digest?.to ?? [],
    ...renderDigest(digest),
    digest,
  };
}
