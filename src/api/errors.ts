/** Every API error is `{"error": {"code", "message"}}` with the catalog's status; never a stack. */
import { errorCatalog, type ErrorCode, VigilError, isVigilError } from "../core/errors.ts";
import { notJson } from "./body.ts";
import type { ApiContext, Reply } from "./router.ts";

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

export function sendError(c: ApiContext, e: VigilError): Reply {
  return c.json(errorBody(e.code, e.message, e.details), e.status);
}

/** Maps anything thrown in a handler to a response; unknown errors become INTERNAL and are logged. */
export function toVigilError(e: unknown): VigilError {
  if (isVigilError(e)) return e;
  if (e instanceof SyntaxError) return notJson(e);
  return new VigilError("INTERNAL", "internal error; the agent logged the details", { cause: e });
}

export const statusOf = (code: ErrorCode) => errorCatalog[code].status;
