// JSON body parsing that refuses what JSON.parse would quietly accept: invalid UTF-8, lone surrogates,
// nesting deeper than any request needs, and bodies over the size limit, before any handler sees them.
import { isUtf8 } from "node:buffer";
import type { IncomingMessage } from "node:http";
import express, { type RequestHandler } from "express";
import { ApiError } from "./errors";

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/**
 * Valid UTF-8 cannot encode a surrogate, so a lone one can only arrive as a \u escape: a body without "\u"
 * needs no walk over its parsed values. The verify step below marks the request.
 */
const ESCAPE = Buffer.from("\\u");
const HAS_ESCAPES = Symbol("body has \\u escapes");
type Marked = { [HAS_ESCAPES]?: boolean };

/** The deepest nesting of arrays and objects a body may have; the deepest request schema needs 3. */
export const MAX_JSON_DEPTH = 32;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

export function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, strict: true, type: ["application/json", "application/*+json"], verify: (req, _res, buf) => verifyBytes(req, buf) });
  const limitBytes = parseLimit(limit);
  // body-parser costs about 40 µs a request here (stream plumbing, content-type and charset parsing, iconv); a plain
  // application/json body of known length within the limit is read directly, with the same checks and error types.
  const read: RequestHandler = (req, res, next) => {
    const length = plainJsonLength(req, limitBytes);
    if (length === null) {
      parse(req, res, next);
      return;
    }
    readExactly(req, length).then(
      (buf) => {
        try {
          verifyBytes(req, buf);
          req.body = parseStrictJson(buf);
        } catch (err) {
          next(err);
          return;
        }
        next();
      },
      (err: unknown) => next(err),
    );
  };
  const check: RequestHandler = (req, _res, next) => {
    if (req.body !== undefined && (req as Marked)[HAS_ESCAPES] === true && hasLoneSurrogate(req.body)) throw new ApiError(400, "INVALID_UNICODE", "the request body contains a lone surrogate");
    next();
  };
  return [read, check];
}

/** What body-parser's verify hook checks: nesting depth, whether \u escapes need a walk, UTF-8. */
function verifyBytes(req: IncomingMessage, buf: Buffer): void {
  if (exceedsDepth(buf, MAX_JSON_DEPTH)) {
    throw Object.assign(new Error(`the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`), { type: "entity.json.too-deep" });
  }
  (req as Marked)[HAS_ESCAPES] = buf.includes(ESCAPE);
  // Validates without decoding (a strict TextDecoder would build a string only to throw it away); body-parser
  // rewraps errors thrown here and keeps `type`, which errors.ts maps to INVALID_UTF8.
  if (!isUtf8(buf)) throw Object.assign(new Error("the request body is not valid UTF-8"), { type: "entity.utf8.invalid" });
}

const LIMIT_RE = /^(\d+(?:\.\d+)?) *(b|kb|mb|gb)?$/i;
const LIMIT_UNITS: Record<string, number> = { b: 1, kb: 1 << 10, mb: 1 << 20, gb: 1 << 30 };

/** A body limit as body-parser's `bytes` reads it, or null for a form it may read differently (then it always reads). */
function parseLimit(limit: string): number | null {
  const match = LIMIT_RE.exec(limit.trim());
  return match ? Math.floor(Number(match[1]) * LIMIT_UNITS[(match[2] ?? "b").toLowerCase()]) : null;
}

/**
 * The Content-Length of a body the direct path may read: plain application/json (no charset other than UTF-8 to
 * refuse, no encoding to inflate), not chunked, within the limit, not read yet. Null sends it to body-parser.
 */
function plainJsonLength(req: IncomingMessage, limit: number | null): number | null {
  const { headers } = req;
  if (limit === null || req.complete || headers["content-encoding"] !== undefined || headers["transfer-encoding"] !== undefined) return null;
  const type = headers["content-type"]?.toLowerCase();
  if (type !== "application/json" && type !== "application/json; charset=utf-8") return null;
  const declared = headers["content-length"];
  if (declared === undefined || !/^\d{1,9}$/.test(declared)) return null;
  const length = Number(declared);
  return length <= limit ? length : null;
}

/** Reads the whole body, failing as raw-body does when the client goes away first. */
function readExactly(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      done();
      if (received === length) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
      else reject(Object.assign(new Error("request size did not match content length"), { status: 400, type: "request.size.invalid" }));
    };
    const onClose = () => {
      done();
      reject(Object.assign(new Error("request aborted"), { status: 400, type: "request.aborted" }));
    };
    // A stream error on a request is its client going away mid-body.
    const onError = (err: Error) => {
      done();
      reject(Object.assign(err, { status: 400, type: "request.aborted" }));
    };
    const done = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    req.on("error", onError);
  });
}

/** body-parser's strict JSON: an empty body is {}, a leading BOM is dropped, only an object or array at the top. */
function parseStrictJson(buf: Buffer): unknown {
  let text = buf.toString("utf8");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = /\S/.exec(text)?.[0];
  if (first !== "{" && first !== "[") throw Object.assign(new SyntaxError("the body is not a JSON object or array"), { status: 400, type: "entity.parse.failed" });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw Object.assign(err instanceof Error ? err : new SyntaxError(String(err)), { status: 400, type: "entity.parse.failed" });
  }
}

const JSON_MEDIA_TYPE = /^application\/(?:[^\s/;]+\+)?json$/;

/** POSTs with a body must say it is JSON, so that a form post cannot slip past validation as {}. */
export const requireJson: RequestHandler = (req, _res, next) => {
  // A route's own parser has read the body as bytes already (a photo, whose bytes its handler checks).
  if (Buffer.isBuffer(req.body)) {
    next();
    return;
  }
  const length = Number(req.headers["content-length"] ?? 0);
  const chunked = req.headers["transfer-encoding"] !== undefined;
  // The media type without parameters, as type-is compares it (req.is costs a full header parse per request).
  const mediaType = (req.headers["content-type"] ?? "").split(";", 1)[0].trim().toLowerCase();
  if ((length > 0 || chunked) && !JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  next();
};

/**
 * Whether the raw JSON bytes open more than `limit` arrays or objects at once, counting brackets outside
 * strings only. Read before JSON.parse, so a hostile body costs one pass over its bytes and no recursion.
 * UTF-8 never puts an ASCII byte inside a multi-byte character, so a byte-wise scan sees every quote.
 */
export function exceedsDepth(buf: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const byte = buf[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** Walks the parsed body with an explicit stack: its depth is already bounded, but a walk should not depend on that. */
function hasLoneSurrogate(body: unknown): boolean {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (LONE_SURROGATE_RE.test(value)) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (LONE_SURROGATE_RE.test(key)) return true;
        pending.push(child);
      }
    }
  }
  return false;
}
