// SM2 in Node: the addon in native/ over Node's own OpenSSL when it loads, else the pure-JS sm2.browser.ts (which
// the browser bundle uses in this file's place). SM2_BACKEND=js forces the fallback; =native refuses to start without
// the addon. Both take and give the same r‖s hex and refuse the same signatures and keys.
import { randomBytes } from "node:crypto";
import * as js from "./sm2.browser";
import { assertPrivateKey, invalidPublicKey, isCanonicalSignature, isUncompressedKeyHex, type Sm2BackendName, type Sm2KeyPair } from "./sm2.browser";

export { SM2_USER_ID, type Sm2BackendName, type Sm2KeyPair } from "./sm2.browser";

/** The addon's surface (native/index.d.ts), restated so this compiles where the addon was never installed. */
interface Sm2Addon {
  publicKey(point: Uint8Array): NativeKey | null;
  privateKey(scalar: Uint8Array): NativeKey | null;
  publicKeyOf(scalar: Uint8Array): Buffer | null;
  verify(key: NativeKey, message: Uint8Array, rs: Uint8Array): boolean;
  sign(key: NativeKey, message: Uint8Array): Buffer;
  verifyBatch(keys: NativeKey[], messages: Uint8Array[], signatures: Uint8Array[]): Promise<boolean[]>;
}

/** An OpenSSL EVP_PKEY behind a JS external, freed by the garbage collector. */
type NativeKey = { readonly __brand: "Sm2NativeKey" };

export interface Sm2Verification {
  message: Uint8Array;
  signature: string;
  publicKey: string;
}

const PUBLIC_KEY_CACHE_LIMIT = 4096;
// Signing keys are few (a device command key, a CLI run); a small cache spares re-deriving d·G on every signature.
const SIGNING_KEY_CACHE_LIMIT = 16;

const addon = loadAddon(process.env.SM2_BACKEND);
const publicKeys = new Map<string, NativeKey>();
const signingKeys = new Map<string, NativeKey>();
const jsValidKeys = new Set<string>();

/** "native" when the addon answers, "js" when sm-crypto-v2 does. */
export const sm2Backend: Sm2BackendName = addon ? "native" : "js";

export function generateSm2KeyPair(): Sm2KeyPair {
  if (!addon) return js.generateSm2KeyPair();
  for (;;) {
    const privateKey = randomBytes(32).toString("hex");
    try {
      assertPrivateKey(privateKey);
    } catch {
      continue; // d = 0 or d ≥ n − 1: about one draw in 2^32
    }
    return { privateKey, publicKey: sm2PublicKeyOf(privateKey) };
  }
}

/** The uncompressed public key (04‖x‖y, lowercase hex) of a private key. */
export function sm2PublicKeyOf(privateKey: string): string {
  if (!addon) return js.sm2PublicKeyOf(privateKey);
  assertPrivateKey(privateKey);
  const point = addon.publicKeyOf(Buffer.from(privateKey, "hex"));
  if (!point) throw new Error("invariant violated: a private key in range has a public point");
  return point.toString("hex");
}

export function isSm2PublicKey(publicKey: unknown): publicKey is string {
  if (!addon) return jsPublicKeyChecked(publicKey);
  return isUncompressedKeyHex(publicKey) && nativePublicKey(addon, publicKey) !== null;
}

/** Signs `message` bytes; returns r‖s as 128 lowercase hex characters. */
export function sm2Sign(message: Uint8Array, privateKey: string): string {
  if (!addon) return js.sm2Sign(message, privateKey);
  return addon.sign(nativeSigningKey(addon, privateKey), message).toString("hex");
}

/** True only for a well-formed, non-malleated r‖s signature of `message` by `publicKey`. */
export function sm2Verify(message: Uint8Array, signature: string, publicKey: string): boolean {
  if (!addon) return js.sm2Verify(message, signature, publicKey);
  if (!isCanonicalSignature(signature)) return false;
  return addon.verify(requirePublicKey(addon, publicKey), message, Buffer.from(signature, "hex"));
}

/**
 * sm2Verify of each job, answered in order. With the addon, the curve arithmetic runs as one task on libuv's thread
 * pool and the event loop goes on meanwhile; with sm-crypto-v2 it runs here and now. Rejects with INVALID_KEY, before
 * any work starts, if a job's key is not a public key (sm2Verify throws it).
 */
export async function sm2VerifyBatch(jobs: readonly Sm2Verification[]): Promise<boolean[]> {
  if (!addon) return jobs.map((j) => js.sm2Verify(j.message, j.signature, j.publicKey));
  const keys: NativeKey[] = [];
  const messages: Uint8Array[] = [];
  const signatures: Uint8Array[] = [];
  const sent: number[] = [];
  jobs.forEach((job, i) => {
    const key = requirePublicKey(addon, job.publicKey);
    if (!isCanonicalSignature(job.signature)) return;
    keys.push(key);
    messages.push(job.message);
    signatures.push(Buffer.from(job.signature, "hex"));
    sent.push(i);
  });
  const answers = keys.length > 0 ? await addon.verifyBatch(keys, messages, signatures) : [];
  const results = jobs.map(() => false);
  sent.forEach((jobIndex, k) => (results[jobIndex] = answers[k]));
  return results;
}

function requirePublicKey(native: Sm2Addon, publicKey: string): NativeKey {
  const key = isUncompressedKeyHex(publicKey) ? nativePublicKey(native, publicKey) : null;
  if (!key) throw invalidPublicKey();
  return key;
}

/** The parsed key of a well-formed hex key, or null off the curve; parsed once, then served from the cache. */
function nativePublicKey(native: Sm2Addon, publicKey: string): NativeKey | null {
  const cached = publicKeys.get(publicKey);
  if (cached) return cached;
  const key = native.publicKey(Buffer.from(publicKey, "hex"));
  if (key) remember(publicKeys, PUBLIC_KEY_CACHE_LIMIT, publicKey, key);
  return key;
}

/**
 * The fallback's check of a public key decodes the point and tests it against the curve, ~20 µs of the event loop a
 * usage in bench:ingest: keys that passed are remembered, as the native path remembers its parsed keys.
 */
function jsPublicKeyChecked(publicKey: unknown): publicKey is string {
  if (typeof publicKey === "string" && jsValidKeys.has(publicKey)) return true;
  if (!js.isSm2PublicKey(publicKey)) return false;
  if (jsValidKeys.size >= PUBLIC_KEY_CACHE_LIMIT) jsValidKeys.delete(jsValidKeys.values().next().value as string);
  jsValidKeys.add(publicKey);
  return true;
}

function nativeSigningKey(native: Sm2Addon, privateKey: string): NativeKey {
  const cached = signingKeys.get(privateKey);
  if (cached) return cached;
  assertPrivateKey(privateKey);
  const key = native.privateKey(Buffer.from(privateKey, "hex"));
  if (!key) throw new Error("invariant violated: a private key in range makes a signing key");
  remember(signingKeys, SIGNING_KEY_CACHE_LIMIT, privateKey, key);
  return key;
}

/** Insertion-ordered eviction: the oldest entry goes first (keys in use are parsed again at worst). */
function remember(cache: Map<string, NativeKey>, limit: number, hex: string, key: NativeKey): void {
  if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
  cache.set(hex, key);
}

function loadAddon(choice: string | undefined): Sm2Addon | null {
  if (choice !== undefined && choice !== "" && choice !== "native" && choice !== "js") {
    throw new Error(`SM2_BACKEND is "native" or "js", not "${choice}"`);
  }
  if (choice === "js") return null;
  try {
    // A plain require: the addon is optional, and its absence is an answer (the fallback), not an import error.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("sealproof-sm2-native") as Sm2Addon;
  } catch (err) {
    if (choice === "native") throw new Error(`SM2_BACKEND=native but the addon did not load: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    return null;
  }
}
