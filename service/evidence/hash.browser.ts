// The browser's hash.ts (web-verify/build.ts swaps it in): the same exports, with no Node APIs.
// SM3 is always the pure-TypeScript one of sm3.ts; SHA-256 comes from @noble/hashes.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2";
import { sm3 as jsSm3, sm3Into } from "./sm3";

/**
 * A hash over bytes with a 32-byte digest. `into`, when present, writes the same digest to out[offset, offset + 32)
 * without allocating: tree builds call it to hash straight into their level arrays.
 */
export interface HashFn {
  (data: Uint8Array): Uint8Array;
  readonly into?: (data: Uint8Array, out: Uint8Array, offset: number) => void;
}

export const HASH_SIZE = 32;

export const sm3: HashFn = Object.assign((data: Uint8Array): Uint8Array => jsSm3(data), { into: sm3Into });

export const sha256: HashFn = (data) => nobleSha256(data);
