// SM3 (GB/T 32905) and SHA-256 over bytes. SM3 comes from two places, whichever is faster for the input size:
// the pure-TypeScript SM3 of sm3.ts (see there for why we hand-write it) and Node's crypto.hash (OpenSSL).
// The browser bundle swaps this file for hash.browser.ts; sm3.ts uses no Node API, so there it can be `sm3` as is.
import { hash } from "node:crypto";
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

// Up to here the JS SM3 beats crypto.hash, whose per-call cost dominates small inputs. Measured best-of-3 on the
// 2-vCPU dev VM (Node 20.20), JS vs crypto.hash hashes/s: 300 B (a typical record) 461k vs 352k and 389k vs 313k,
// so 1.2-1.3x for JS; 450-800 B about even; 4 KB 1.5-1.8x and 1 MB 1.9x for crypto.hash. Both give the same digest.
const JS_SM3_MAX_BYTES = 512;

/** SM3 for any input, each size to the faster engine; `into` is what Merkle builds use for their 33- and 65-byte inputs. */
export const sm3: HashFn = Object.assign(
  (data: Uint8Array): Uint8Array => (data.length <= JS_SM3_MAX_BYTES ? jsSm3(data) : hash("sm3", data, "buffer")),
  { into: sm3IntoBySize },
);

/** Small inputs hash straight into `out` with no allocation; large ones (rare as tree leaves) take crypto.hash's digest. */
function sm3IntoBySize(data: Uint8Array, out: Uint8Array, offset: number): void {
  if (data.length <= JS_SM3_MAX_BYTES) sm3Into(data, out, offset);
  else out.set(hash("sm3", data, "buffer"), offset);
}

export const sha256: HashFn = (data) => hash("sha256", data, "buffer");
