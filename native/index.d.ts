// The addon's functions. Byte arguments are Uint8Arrays; a wrong length or a wrong type throws a TypeError.

/** A parsed SM2 key (an OpenSSL EVP_PKEY), freed when the garbage collector drops it. */
export type Sm2NativeKey = { readonly __brand: "Sm2NativeKey" };

/** The key of an uncompressed 65-byte point 04‖x‖y, or null when it is not one on the curve (nor of order n). */
export function publicKey(point: Uint8Array): Sm2NativeKey | null;
/** The signing key of a 32-byte scalar d, or null when d·G cannot be formed. The caller checks d ∈ [1, n−2]. */
export function privateKey(scalar: Uint8Array): Sm2NativeKey | null;
/** The 65-byte uncompressed public point d·G, or null. */
export function publicKeyOf(scalar: Uint8Array): Buffer | null;
/** SM2 verification with SM3 and user id 1234567812345678 of a 64-byte r‖s; OpenSSL checks r, s ∈ [1, n−1]. */
export function verify(key: Sm2NativeKey, message: Uint8Array, rs: Uint8Array): boolean;
/** A 64-byte r‖s SM2 signature of message. */
export function sign(key: Sm2NativeKey, message: Uint8Array): Buffer;
/** verify() of each job, on one thread of libuv's pool: the event loop goes on meanwhile. */
export function verifyBatch(keys: Sm2NativeKey[], messages: Uint8Array[], signatures: Uint8Array[]): Promise<boolean[]>;
