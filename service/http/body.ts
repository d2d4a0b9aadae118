// JSON body parsing that refuses what JSON.parse would quietly accept: invalid UTF-8, lone surrogates,
// and bodies over the size limit, before any handler sees them.
import express, { type RequestHandler } from "express";
import { ApiError } from "./errors";

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
/**
 * Valid UTF-8 cannot encode a surrogate, so a lone one can only arrive as a \u escape: a body without "\u"
 * needs no walk over its parsed values. The verify step below marks the request.
 */
const ESCAPE = Buffer.from("\\u");
const HAS_ESCAPES = Symbol("body has \\u escapes");
type Marked = { [HAS_ESCAPES]?: boolean };

export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({
    limit,
    strict: true,
    type: ["application/json", "application/*+json"],
    verify: (req, _res, buf) => {
      (req as Marked)[HAS_ESCAPES] = buf.includes(ESCAPE);
      try {
        utf8Strict.decode(buf);
      } catch {
        // body-parser rewraps errors thrown here; it keeps `type`, which errors.ts maps to INVALID_UTF8.
        throw Object.assign(new Error("the request body is not valid UTF-8"), { type: "entity.utf8.invalid" });
      }
    },
  });
  const check: RequestHandler = (req, _res, next) => {
    if (req.body !== undefined && (req as Marked)[HAS_ESCAPES] === true && hasLoneSurrogate(req.body)) throw new ApiError(400, "INVALID_UNICODE", "the request body contains a lone surrogate");
    next();
  };
  return [parse, check];
}

const JSON_MEDIA_TYPE = /^application\/(?:[^\s/;]+\+)?json$/;

/** POSTs with a body must say it is JSON, so that a form post cannot slip past validation as {}. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const length = Number(req.headers["content-length"] ?? 0);
  const chunked = req.headers["transfer-encoding"] !== undefined;
  // The media type without parameters, as type-is compares it (req.is costs a full header parse per request).
  const mediaType = (req.headers["content-type"] ?? "").split(";", 1)[0].trim().toLowerCase();
  if ((length > 0 || chunked) && !JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  next();
};

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return LONE_SURROGATE_RE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (typeof value === "object" && value !== null) return Object.entries(value).some(([k, v]) => LONE_SURROGATE_RE.test(k) || hasLoneSurrogate(v));
  return false;
}
