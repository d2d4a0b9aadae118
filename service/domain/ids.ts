// Opaque identifiers: random, base58, with a kind prefix. Receipt ids carry 128 random bits so that
// public URLs cannot be enumerated.
import { createHash, randomBytes } from "node:crypto";
import bs58 from "bs58";

export type IdPrefix = "c" | "m" | "k" | "s" | "sc" | "g" | "r" | "d" | "dc" | "au" | "ms" | "al" | "wh" | "wd" | "iv" | "pk" | "ss" | "ch";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${bs58.encode(randomBytes(12))}`;
}

export function newReceiptId(): string {
  return bs58.encode(randomBytes(16));
}

export const RECEIPT_ID_RE = /^[1-9A-HJ-NP-Za-km-z]{16,24}$/;

/** An API key secret: the key id (to find and revoke it) and 256 random bits. Only its hash is stored. */
export function newApiKeySecret(keyId: string): string {
  return `sp_${keyId.slice(2)}_${bs58.encode(randomBytes(32))}`;
}

/** A device credential: the device id (to find it) and 256 random bits. Only its hash is stored, as for API keys. */
export function newDeviceCredential(deviceId: string): string {
  return `sd_${deviceId.slice(2)}_${bs58.encode(randomBytes(32))}`;
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
