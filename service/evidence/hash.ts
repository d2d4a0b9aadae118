// SM3 (GB/T 32905) and SHA-256 over bytes. `sm3` is Node's built-in hash for general use (records, SM2 digests);
// its `into` fast path is the allocation-free JS SM3 of sm3.ts, which Merkle builds use for their millions of
// 33- and 65-byte inputs (see sm3.ts for why). The browser bundle swaps this file for hash.browser.ts.
import { hash } from "node:crypto";
import { sm3Into } from "./sm3";

/**
 * A hash over bytes with a 32-byte digest. `into`, when present, writes the same digest to out[offset, offset + 32)
 * without allocating: tree builds call it to hash straight into their level arrays.
 */
export interface HashFn {
  (data: Uint8Array): Uint8Array;
  readonly into?: (data: Uint8Array, out: Uint8Array, offset: number) => void;
}

export const HASH_SIZE = 32;

export const sm3: HashFn = Object.assign((data: Uint8Array): Uint8Array => hash("sm3", data, "buffer"), { into: sm3Into });

export const sha256: HashFn = (data) => hash("sha256", data, "buffer");
