// The bearer secrets of console sign-in: invitation tokens and session cookies, 256 random bits in base58, stored only
// as their SHA-256. A session's CSRF token is derived from its cookie, so the browser's script can hold the one
// without the other, and the server checks it without a read.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import bs58 from "bs58";

export function newSecret(): string {
  return bs58.encode(randomBytes(32));
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function csrfTokenOf(sessionSecret: string): string {
  return createHash("sha256").update(`sealproof-csrf\0${sessionSecret}`, "utf8").digest("base64url");
}

/** Compares digests, so neither length nor content leaks through timing. */
export function sameToken(a: string, b: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}
