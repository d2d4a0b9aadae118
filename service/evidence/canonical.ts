// RFC 8785 (JCS) canonical JSON as UTF-8 bytes; input outside I-JSON is refused, not silently altered.
import canonicalize from "canonicalize";
import { EvidenceError } from "./errors";
import { utf8 } from "./bytes";

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The canonical JSON text of `value`; throws NOT_CANONICAL_JSON for values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  assertCanonicalizable(value, "$");
  const text = canonicalize(value);
  if (text === undefined) throw new EvidenceError("NOT_CANONICAL_JSON", "value has no JSON form");
  return text;
}

/** The bytes that are hashed and signed: UTF-8 of the canonical JSON. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}

function assertCanonicalizable(value: unknown, path: string): void {
  switch (typeof value) {
    case "string":
      if (LONE_SURROGATE_RE.test(value)) refuse(path, "string contains a lone surrogate");
      return;
    case "number":
      if (!Number.isFinite(value)) refuse(path, "number is not finite");
      return;
    case "boolean":
      return;
    case "object":
      if (value === null) return;
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertCanonicalizable(item, `${path}[${i}]`));
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        refuse(path, "only plain objects are allowed");
      }
      for (const [key, item] of Object.entries(value)) {
        if (LONE_SURROGATE_RE.test(key)) refuse(path, "key contains a lone surrogate");
        assertCanonicalizable(item, `${path}.${key}`);
      }
      return;
    default:
      refuse(path, `${typeof value} has no JSON form`);
  }
}

function refuse(path: string, reason: string): never {
  throw new EvidenceError("NOT_CANONICAL_JSON", `${path}: ${reason}`);
}
