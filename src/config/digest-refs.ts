/**
 * What the daily digest must agree with: a time zone Intl knows, and channels that exist. Refused
 * at load with the key's place, rather than a digest that never comes.
 */
import { knownTimeZone } from "../core/cron-schedule.ts";
import type { VigilConfig } from "./schema.ts";

type Add = (path: (string | number)[], message: string) => void;

export function digestProblems(c: VigilConfig, add: Add): void {
  const d = c.notify.digest;
  if (!d) return;
  if (!knownTimeZone(d.timezone))
    add(
      ["notify", "digest", "timezone"],
      `"${d.timezone.slice(0, 80)}" is not a time zone; write an IANA name such as Europe/Berlin or UTC`,
    );
  const channels = Object.keys(c.notify.channels);
  d.to.forEach((ch, i) => {
    if (!Object.hasOwn(c.notify.channels, ch))
      add(
        ["notify", "digest", "to", i],
        `the digest goes to "${ch}", which is not a channel under notify.channels (channels: ${channels.join(", ") || "none"})`,
      );
  });
}
