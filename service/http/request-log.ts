// One request id per request (the client's X-Request-Id when it is a plain token, else a new UUID), returned in
// X-Request-Id, and one JSON log line per answer: id, method, route template, status, error code, duration. Never
// headers, bodies or concrete paths: those carry API keys, names, ID numbers and receipt ids.
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "pino";
import { httpRequests, type OutcomeCounter } from "../metrics";

export const REQUEST_ID_HEADER = "X-Request-Id";
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** `logger` absent: requests are counted but not logged. */
export function requestLog(logger: Logger | undefined): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const offered = req.get(REQUEST_ID_HEADER);
    const id = offered !== undefined && REQUEST_ID_RE.test(offered) ? offered : randomUUID();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    res.once("finish", () => {
      const route = routeOf(res.locals.route, req.route);
      const code = typeof res.locals.errorCode === "string" ? res.locals.errorCode : undefined;
      httpRequests.inc({ route, status: String(res.statusCode) });
      countOutcome(res.locals.outcomes as OutcomeCounter | undefined, res.statusCode, code);
      logger?.info({ reqId: id, method: req.method, route, status: res.statusCode, code, ms: Math.round(performance.now() - started) }, "request");
    });
    next();
  };
}

/** The route template: the Api's declaration, else the Express route that matched (its path), else "unmatched". */
function routeOf(declared: unknown, matched: unknown): string {
  if (typeof declared === "string") return declared;
  const path = typeof matched === "object" && matched !== null && "path" in matched ? matched.path : undefined;
  return typeof path === "string" ? path : "unmatched";
}

function countOutcome(outcomes: OutcomeCounter | undefined, status: number, code: string | undefined): void {
  if (outcomes === undefined) return;
  if (status < 400) outcomes.inc({ outcome: "accepted", code: "" });
  else outcomes.inc({ outcome: "refused", code: code ?? String(status) });
}
