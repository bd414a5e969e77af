/**
 * Structured logs: pino, one child logger per component (`log.child({ component: "api" })`), fixed
 * keys, secrets redacted by key and by value before anything is written.
 */
import { pino, type Logger, type DestinationStream } from "pino";
import type { Redactor } from "./redact.ts";

export type { Logger };

export interface LogOptions {
  level?: string;
  redactor: Redactor;
  /** Where lines go; standard error by default so standard output stays clean for the CLI. */
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions): Logger {
  const { redactor } = options;
  return pino(
    {
      level: options.level ?? process.env.VIGIL_LOG_LEVEL ?? "info",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactor.redact(obj),
      },
      hooks: {
        logMethod(args, method) {
          // The message string can carry a secret too (an error text quoting a URL, say).
          const redacted = args.map((a) => (typeof a === "string" ? redactor.redactString(a) : a));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
      serializers: { err: (e: unknown) => serializeError(e) },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

function serializeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  return { type: e.name, message: e.message, ...(code === undefined ? {} : { code }), stack: e.stack };
}

/** A logger that writes nothing, for tools and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
