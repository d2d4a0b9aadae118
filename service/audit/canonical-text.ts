// A JSON object's text taken as it stands when it is already in RFC 8785 form, which is cheaper to check than to
// canonicalise. Its bytes are then the ones canonicalJson would give, so they can be hashed as they are.
import { isUtf8 } from "node:buffer";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Integers of up to 15 digits are exact doubles, and ECMAScript writes them back digit for digit. */
const MAX_DIGITS = 15;
const MAX_DEPTH = 64;

/**
 * The parsed object when bytes[start, end) is UTF-8 JSON of an object already in canonical form; null otherwise,
 * which says nothing about the text but that it must be canonicalised to be judged.
 */
export function parseCanonicalObject(bytes: Buffer, start: number, end: number): Record<string, unknown> | null {
  if (bytes[start] !== 0x7b || !inCanonicalForm(bytes, start, end) || !isUtf8(bytes.subarray(start, end))) return null;
  try {
    // JSON.parse judges the grammar, inCanonicalForm only what canonical form adds to it.
    return JSON.parse(bytes.toString("utf8", start, end)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Whether JSON text, if valid, is as canonicalJson writes it: no whitespace; no escape (so no lone surrogate, and
 * strings as ECMAScript writes them); integers only, as ECMAScript writes them; every object's keys ASCII, unique and
 * in increasing order. Anything else (fractions, exponents, escapes, keys beyond ASCII) answers false, as if not
 * canonical, though some of it may be.
 */
function inCanonicalForm(b: Uint8Array, start: number, end: number): boolean {
  /** Per open container: whether it is an object, whether a key comes next, and the last key's place. */
  const isObject: boolean[] = [];
  const keyNext: boolean[] = [];
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  let depth = -1;
  for (let i = start; i < end; ) {
    const c = b[i];
    if (c === QUOTE) {
      let close = i + 1;
      while (close < end && b[close] !== QUOTE) {
        if (b[close] === BACKSLASH) return false;
        close++;
      }
      if (close >= end) return false;
      if (depth >= 0 && isObject[depth] && keyNext[depth]) {
        if (!asciiKey(b, i + 1, close) || (keyStart[depth] >= 0 && !keyBefore(b, keyStart[depth], keyEnd[depth], i + 1, close))) return false;
        keyStart[depth] = i + 1;
        keyEnd[depth] = close;
        keyNext[depth] = false;
      }
      i = close + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth >= MAX_DEPTH) return false;
      isObject[depth] = c === 0x7b;
      keyNext[depth] = c === 0x7b;
      keyStart[depth] = -1;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (c === 0x2c) {
      if (depth >= 0 && isObject[depth]) keyNext[depth] = true;
      i++;
    } else if (c === 0x3a) {
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const digits = c === MINUS ? i + 1 : i;
      let after = digits;
      while (after < end && b[after] >= ZERO && b[after] <= NINE) after++;
      // "-0" is written "0"; anything with a fraction or an exponent is left to canonicalJson.
      if (after - digits > MAX_DIGITS || (c === MINUS && b[digits] === ZERO) || (after < end && (b[after] === 0x2e || b[after] === 0x65 || b[after] === 0x45))) return false;
      i = after;
    } else if (c >= 0x61 && c <= 0x7a) {
      while (i < end && b[i] >= 0x61 && b[i] <= 0x7a) i++;
    } else {
      return false;
    }
  }
  return depth === -1;
}

function asciiKey(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] >= 0x80) return false;
  return true;
}

/** Whether key a sorts strictly before key b (ASCII keys: byte order is code unit order). */
function keyBefore(b: Uint8Array, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const x = b[aStart + i];
    const y = b[bStart + i];
    if (x !== y) return x < y;
  }
  return aEnd - aStart < bEnd - bStart;
}
