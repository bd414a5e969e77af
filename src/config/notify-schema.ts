/**
 * `notify:`: the channels (one provider each, typed by its own file in src/notify/providers/), the
 * routes that pick channels for a notification, and the daily digest. Which channel names exist,
 * and the digest's time zone, are checked in refs.
 */
import { z } from "zod";
import { providers } from "../notify/providers/index.ts";
import { kit } from "./kit.ts";
import { duration, exactlyOne, labels, name, severities, text } from "./primitives.ts";

/** One optional key per provider found in src/notify/providers/; each types its own settings. */
const providerTypes = providers.names();
const channel = z
  .strictObject(
    Object.fromEntries(
      providers.entries().map(([type, p]) => [type, p.schema(kit).describe(p.description).optional()]),
    ),
  )
  .superRefine(exactlyOne(providerTypes, "name the provider, one of", "one provider per channel"));

/** The daily digest; the time zone and the channels are checked in refs. */
const digest = z.strictObject({
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM on the 24-hour clock, such as "08:00"')
    .describe("When to send it, on the wall clock of `timezone`."),
  timezone: text(100)
    .default("UTC")
    .describe("An IANA time zone such as Europe/Berlin: the day the digest covers and `at` are its."),
  to: z
    .array(name)
    .min(1, "name at least one channel")
    .describe("The channels under notify.channels it goes to."),
});

export const notify = z.strictObject({
  channels: z.record(name, channel).default({}),
  routes: z
    .array(
      z.strictObject({
        match: z
          .strictObject({
            severity: z.array(z.enum(severities)).optional(),
            target: z.array(text(253)).optional(),
            labels: labels.optional(),
          })
          .prefault({}),
        to: z.array(name).min(1, "name at least one channel"),
        continue: z.boolean().default(false).describe("Keep matching later routes after this one."),
      }),
    )
    .default([]),
  group_wait: duration.prefault("10s"),
  group_interval: duration.prefault("5m"),
  repeat_interval: duration.prefault("4h"),
  fallback: name
    .optional()
    .describe("Gets a notification after `fallback_after` failed deliveries elsewhere."),
  fallback_after: z.number().int().min(1).default(5),
  max_age: duration
    .prefault("24h")
    .describe("Undelivered notifications older than this are given up (and surfaced)."),
  digest: digest.optional().describe("Yesterday in one message, once a day: see Daily digest."),
});
