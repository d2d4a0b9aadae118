// Every failure leaves as {"error":{"code","message","details"}}; codes come from a closed set. A schema
// refinement may name its own code (params.code) where "does not match the schema" would not say enough.
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ZodError } from "zod";
import { DomainError } from "../domain/errors";
import { StoreCursorError, StoreUnavailableError } from "../store/port";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A success body that does not match its route's response schema: our bug, reported loudly where responses are checked (tests). */
export class ResponseMismatchError extends Error {
  constructor(
    readonly route: string,
    readonly issues: ZodError,
  ) {
    super(`${route} answered a body that does not match its response schema`);
    this.name = "ResponseMismatchError";
  }
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json(errorBody("ROUTE_NOT_FOUND", `no route ${req.method} ${req.path}`));
};

// body-parser reports its failures by `type`; each gets its own client-facing code.
const PARSER_ERRORS: Record<string, [number, string, string]> = {
  "entity.too.large": [413, "BODY_TOO_LARGE", "the request body is larger than allowed"],
  "entity.parse.failed": [400, "MALFORMED_JSON", "the request body is not valid JSON"],
  "encoding.unsupported": [415, "UNSUPPORTED_ENCODING", "the request body must be UTF-8"],
  "charset.unsupported": [415, "UNSUPPORTED_ENCODING", "the request body must be UTF-8"],
  "entity.utf8.invalid": [400, "INVALID_UTF8", "the request body is not valid UTF-8"],
  "entity.json.too-deep": [400, "JSON_TOO_DEEP", "the request body nests arrays and objects deeper than any request needs"],
  "request.aborted": [400, "REQUEST_ABORTED", "the request was aborted"],
};

export function errorHandler(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const [status, body] = toResponse(err);
    if (status >= 500) log(`${req.method} ${String(res.locals.route ?? req.path)} failed`, err);
    res.locals.errorCode = body.error.code;
    res.status(status).json(body);
  };
}

function toResponse(err: unknown): [number, ErrorBody] {
  if (err instanceof ApiError) return [err.status, errorBody(err.code, err.message, err.details)];
  if (err instanceof DomainError) return [err.status, errorBody(err.code, err.message, err.details)];
  if (err instanceof StoreCursorError) return [400, errorBody("CURSOR_INVALID", "after is not a cursor this list handed out; start from the first page")];
  if (err instanceof StoreUnavailableError) return [503, errorBody("STORE_UNAVAILABLE", "the store stopped accepting writes; nothing was acknowledged, retry shortly")];
  if (err instanceof ResponseMismatchError) {
    const details = err.issues.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    return [500, errorBody("RESPONSE_MISMATCH", err.message, details)];
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
    const index = err.issues.findIndex((i) => i.code === "custom" && typeof i.params?.code === "string");
    const named = err.issues[index];
    if (named?.code === "custom") return [400, errorBody(String(named.params?.code), `${details[index].path}: ${named.message}`, details)];
    return [400, errorBody("VALIDATION_FAILED", "the request does not match the schema", details)];
  }
  const type = typeof err === "object" && err !== null && "type" in err ? String(err.type) : "";
  const parser = PARSER_ERRORS[type];
  if (parser) return [parser[0], errorBody(parser[1], parser[2])];
  if (typeof err === "object" && err !== null && "status" in err && Number(err.status) < 500) {
    const status = Number((err as { status: number }).status);
    return [status, errorBody("BAD_REQUEST", err instanceof Error ? err.message : "bad request")];
  }
  return [500, errorBody("INTERNAL", "an internal error occurred; nothing was acknowledged")];
}
