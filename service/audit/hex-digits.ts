// 32-byte hashes written as 64 lowercase hex digits inside a line's bytes, compared and decoded where they lie,
// without making a string of them first.
import { HASH_SIZE } from "../evidence/hash";

const DIGITS = "0123456789abcdef";
/** For each byte value, its two hex digits' character codes. */
const ENCODED = Uint8Array.from({ length: 512 }, (_, i) => DIGITS.charCodeAt(i % 2 === 0 ? (i >> 1) >> 4 : (i >> 1) & 15));
/** For each character code, its value as a lowercase hex digit, or 255. */
const DECODED = Uint8Array.from({ length: 256 }, (_, c) => {
  const i = DIGITS.indexOf(String.fromCharCode(c));
  return i < 0 ? 255 : i;
});

/** Whether text[at, at + 64) is the lowercase hex of bytes[offset, offset + 32). */
export function hexEquals(text: Uint8Array, at: number, bytes: Uint8Array, offset: number): boolean {
  if (at < 0 || at + 2 * HASH_SIZE > text.length) return false;
  for (let i = 0; i < HASH_SIZE; i++) {
    const b = bytes[offset + i] << 1;
    if (text[at + 2 * i] !== ENCODED[b] || text[at + 2 * i + 1] !== ENCODED[b + 1]) return false;
  }
  return true;
}

/** Decodes text[at, at + 64) into out[offset, offset + 32); false when it is not 64 lowercase hex digits. */
export function decodeHex(text: Uint8Array, at: number, out: Uint8Array, offset: number): boolean {
  if (at < 0 || at + 2 * HASH_SIZE > text.length) return false;
  for (let i = 0; i < HASH_SIZE; i++) {
    const hi = DECODED[text[at + 2 * i]];
    const lo = DECODED[text[at + 2 * i + 1]];
    if ((hi | lo) > 15) return false;
    out[offset + i] = (hi << 4) | lo;
  }
  return true;
}
