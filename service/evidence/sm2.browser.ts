// SM2 signatures (GB/T 32918) with the GM/T 0009 default user id, r||s hex, in pure JavaScript (sm-crypto-v2): the
// browser's sm2.ts (web-verify/build.ts swaps it in) and the Node fallback when the native addon does not load.
// The digest e = SM3(Z || M) is computed with our SM3; Z is cached per key, and its precomputed point once it is in use.
import { sm2 } from "sm-crypto-v2";
import { EvidenceError } from "./errors";
import { concatBytes } from "./bytes";
import { sm3 } from "./hash";

export const SM2_USER_ID = "1234567812345678";

/** Which implementation answers: the addon over Node's OpenSSL, or sm-crypto-v2. */
export type Sm2BackendName = "native" | "js";
export const sm2Backend: Sm2BackendName = "js";

const CURVE_ORDER = BigInt("0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
const CURVE_ORDER_HEX = CURVE_ORDER.toString(16);
const SCALAR_ZERO_HEX = "0".repeat(64);
const PUBLIC_KEY_RE = /^04[0-9a-f]{128}$/;
const PRIVATE_KEY_RE = /^[0-9a-f]{64}$/;
const SIGNATURE_RE = /^[0-9a-f]{128}$/;
const KEY_CACHE_LIMIT = 4096;

export interface Sm2KeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * The verification of a key at which its point is precomputed. Precomputing costs ~40 ms on these machines and then
 * makes each verification ~0.5 ms instead of ~3.2 ms: a gain for a seal's or a device's key, used for years, and a
 * loss for a key verified once (a verify page's one receipt, an idle device's hello, an unauthorized stamp checked at
 * once on the event loop, where 40 ms held up every request behind it). A key verified a second time is in use: from
 * then on it is precomputed, at the price of one plain verification more than the best choice in hindsight. Each
 * thread has its own cache, so the event loop, which checks only what may lock a device, rarely precomputes at all.
 */
const PRECOMPUTE_AFTER = 2;

interface PreparedKey {
  z: Uint8Array;
  /** Verifications so far, counted until the point is precomputed. */
  verified: number;
  point: ReturnType<typeof sm2.precomputePublicKey> | null;
}

const preparedKeys = new Map<string, PreparedKey>();

export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey: privateKey.padStart(64, "0"), publicKey };
}

/** The uncompressed public key (04‖x‖y, lowercase hex) of a private key. */
export function sm2PublicKeyOf(privateKey: string): string {
  assertPrivateKey(privateKey);
  return sm2.getPublicKeyFromPrivateKey(privateKey);
}

/** 04‖x‖y as 130 lowercase hex characters; whether the point is on the curve is a separate question. */
export function isUncompressedKeyHex(publicKey: unknown): publicKey is string {
  return typeof publicKey === "string" && PUBLIC_KEY_RE.test(publicKey);
}

export function isSm2PublicKey(publicKey: unknown): publicKey is string {
  if (!isUncompressedKeyHex(publicKey)) return false;
  try {
    return sm2.verifyPublicKey(publicKey);
  } catch {
    // The library throws, rather than answering false, for points off the curve.
    return false;
  }
}

/** Signs `message` bytes; returns r‖s as 128 lowercase hex characters. */
export function sm2Sign(message: Uint8Array, privateKey: string): string {
  assertPrivateKey(privateKey);
  const publicKey = sm2.getPublicKeyFromPrivateKey(privateKey);
  return sm2.doSignature(digest(prepare(publicKey), message), privateKey, { hash: false });
}

/** True only for a well-formed, non-malleated r‖s signature of `message` by `publicKey`. */
export function sm2Verify(message: Uint8Array, signature: string, publicKey: string): boolean {
  if (!isCanonicalSignature(signature)) return false;
  const key = prepare(publicKey);
  if (key.point === null && ++key.verified >= PRECOMPUTE_AFTER) key.point = sm2.precomputePublicKey(publicKey);
  return sm2.doVerifySignature(digest(key, message), signature, key.point ?? publicKey, { hash: false });
}

/** Whether the key's point has been precomputed (see PRECOMPUTE_AFTER). */
export function isPrecomputed(publicKey: string): boolean {
  return (preparedKeys.get(publicKey)?.point ?? null) !== null;
}

function digest(key: PreparedKey, message: Uint8Array): Uint8Array {
  return sm3(concatBytes(key.z, message));
}

function prepare(publicKey: string): PreparedKey {
  const cached = preparedKeys.get(publicKey);
  if (cached) return cached;
  if (!isSm2PublicKey(publicKey)) throw invalidPublicKey();
  const prepared: PreparedKey = { z: sm2.getZ(publicKey, SM2_USER_ID), verified: 0, point: null };
  if (preparedKeys.size >= KEY_CACHE_LIMIT) preparedKeys.delete(preparedKeys.keys().next().value as string);
  preparedKeys.set(publicKey, prepared);
  return prepared;
}

/**
 * True for 128 lowercase hex characters with r and s in [1, n-1]. The library does not check s, so (r, s + n) would
 * otherwise verify too; the native backend applies the same test first, so both refuse the same strings.
 */
export function isCanonicalSignature(signature: string): boolean {
  if (typeof signature !== "string" || !SIGNATURE_RE.test(signature)) return false;
  // Equal-length lowercase hex compares as the numbers do.
  const r = signature.slice(0, 64);
  const s = signature.slice(64);
  return r > SCALAR_ZERO_HEX && r < CURVE_ORDER_HEX && s > SCALAR_ZERO_HEX && s < CURVE_ORDER_HEX;
}

export function invalidPublicKey(): EvidenceError {
  return new EvidenceError("INVALID_KEY", "not an uncompressed SM2 public key on the curve");
}

export function assertPrivateKey(privateKey: string): void {
  if (typeof privateKey !== "string" || !PRIVATE_KEY_RE.test(privateKey)) {
    throw new EvidenceError("INVALID_KEY", "an SM2 private key is 64 lowercase hex characters");
  }
  const d = BigInt(`0x${privateKey}`);
  if (d === 0n || d >= CURVE_ORDER - 1n) throw new EvidenceError("INVALID_KEY", "SM2 private key out of range");
}

