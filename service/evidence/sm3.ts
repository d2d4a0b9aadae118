// SM3 (GB/T 32905-2016) in plain TypeScript over Uint8Array: no Node APIs, so it runs unchanged in the browser.
//
// Why hand-written, when the project otherwise prefers libraries: a Merkle build is 2N-1 hashes of 33- and 65-byte
// inputs, and at that size Node's crypto.hash('sm3', …) is bound by its per-call cost (argument checks, an OpenSSL
// digest context, a new Buffer per digest), not by SM3 itself. Measured on 65-byte inputs (best of 3 x 1M, Node 20.20,
// 2-vCPU dev VM; ranges are over runs, the VM is noisy): crypto.hash 365k-480k hashes/s, sm3Into 0.8M-1.16M/s,
// sm-crypto-v2 120k-170k/s and sm-crypto 65k-80k/s (both allocate per call). A 1M-leaf tree, alternating runs in
// one process: 1.7-2.2 s hashing with sm3Into straight into the level arrays, 5.2-7.1 s with a crypto.hash call per
// hash; against merkletreejs (given crypto.hash) that took our build from 1.38x to 3.2x faster (scripts/bench/merkle.ts).
// From about 0.5-0.8 KB up, OpenSSL's per-byte speed wins instead (1.6-1.9x at 4 KB to 1 MB), so hash.ts's `sm3` and
// `sm3.into` use this file up to 512 bytes and crypto.hash above.
//
// sm3Into allocates nothing: the message schedule and the padded last block live in module-level buffers. That
// is safe because JavaScript runs one call at a time and nothing here calls out to other code.

export const SM3_DIGEST_SIZE = 32;

const BLOCK_SIZE = 64;
const LENGTH_FIELD_SIZE = 8;

/** The initial value IV, GB/T 32905 §4.1. */
const IV = Int32Array.of(0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e);

/** T_j <<< (j mod 32) for every round j, GB/T 32905 §4.2 and §5.3.3, precomputed. */
const ROUND_CONSTANTS = Int32Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32));

/** The expanded message W_0..W_67 of the block being compressed (W'_j is computed on the fly as W_j ^ W_j+4). */
const W = new Int32Array(68);
/** The chaining value V_i. */
const V = new Int32Array(8);
/** The last one or two blocks: the input's tail, then 0x80, zeros and the 64-bit bit length. */
const TAIL = new Uint8Array(2 * BLOCK_SIZE);

/** SM3 of `data` as a new 32-byte array. */
export function sm3(data: Uint8Array): Uint8Array {
  const digest = new Uint8Array(SM3_DIGEST_SIZE);
  sm3Into(data, digest, 0);
  return digest;
}

/** Writes SM3 of `data` to out[offset, offset + 32) and touches no other byte of `out`; allocates nothing. */
export function sm3Into(data: Uint8Array, out: Uint8Array, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + SM3_DIGEST_SIZE > out.length) {
    throw new RangeError(`an SM3 digest does not fit at offset ${offset} of ${out.length} bytes`);
  }
  V.set(IV);
  const fullBlocksEnd = data.length - (data.length % BLOCK_SIZE);
  for (let at = 0; at < fullBlocksEnd; at += BLOCK_SIZE) compressBlock(data, at);
  const tailBlocks = padTail(data, fullBlocksEnd);
  for (let block = 0; block < tailBlocks; block++) compressBlock(TAIL, block * BLOCK_SIZE);
  writeDigest(out, offset);
}

/** GB/T 32905 §5.2: copies the bytes after the last full block into TAIL and pads them; returns the block count (1 or 2). */
function padTail(data: Uint8Array, from: number): number {
  const rest = data.length - from;
  for (let i = 0; i < rest; i++) TAIL[i] = data[from + i];
  TAIL[rest] = 0x80;
  const blocks = rest + 1 + LENGTH_FIELD_SIZE <= BLOCK_SIZE ? 1 : 2;
  const end = blocks * BLOCK_SIZE;
  TAIL.fill(0, rest + 1, end - LENGTH_FIELD_SIZE);
  writeBitLength(data.length, end - LENGTH_FIELD_SIZE);
  return blocks;
}

/** The message length in bits as a 64-bit big-endian integer; byte lengths up to 2^53 stay exact. */
function writeBitLength(byteLength: number, at: number): void {
  writeWord(TAIL, at, Math.floor(byteLength / 0x20000000)); // byteLength * 8 / 2^32
  writeWord(TAIL, at + 4, byteLength << 3);
}

/** GB/T 32905 §5.3.2 and §5.3.3: V = CF(V, B) for the 64-byte block of `bytes` starting at `at`. */
function compressBlock(bytes: Uint8Array, at: number): void {
  expandMessage(bytes, at);
  let a = V[0], b = V[1], c = V[2], d = V[3], e = V[4], f = V[5], g = V[6], h = V[7];
  // Rounds 0..15 and 16..63 differ only in FF/GG; two loops keep the boolean functions branch-free.
  for (let j = 0; j < 16; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + ROUND_CONSTANTS[j]) | 0, 7);
    const tt1 = ((a ^ b ^ c) + d + (ss1 ^ a12) + (W[j] ^ W[j + 4])) | 0;
    const tt2 = ((e ^ f ^ g) + h + ss1 + W[j]) | 0;
    d = c; c = rotl(b, 9); b = a; a = tt1;
    h = g; g = rotl(f, 19); f = e; e = p0(tt2);
  }
  for (let j = 16; j < 64; j++) {
    const a12 = rotl(a, 12);
    const ss1 = rotl((a12 + e + ROUND_CONSTANTS[j]) | 0, 7);
    const tt1 = (((a & b) | (a & c) | (b & c)) + d + (ss1 ^ a12) + (W[j] ^ W[j + 4])) | 0;
    const tt2 = (((e & f) | (~e & g)) + h + ss1 + W[j]) | 0;
    d = c; c = rotl(b, 9); b = a; a = tt1;
    h = g; g = rotl(f, 19); f = e; e = p0(tt2);
  }
  V[0] ^= a; V[1] ^= b; V[2] ^= c; V[3] ^= d; V[4] ^= e; V[5] ^= f; V[6] ^= g; V[7] ^= h;
}

/** GB/T 32905 §5.3.2: W_0..W_15 are the block's big-endian words, W_16..W_67 follow from P1. */
function expandMessage(bytes: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++) W[j] = readWord(bytes, at + 4 * j);
  for (let j = 16; j < 68; j++) W[j] = p1(W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15)) ^ rotl(W[j - 13], 7) ^ W[j - 6];
}

function writeDigest(out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) writeWord(out, offset + 4 * i, V[i]);
}

function readWord(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = word >>> 16;
  bytes[at + 2] = word >>> 8;
  bytes[at + 3] = word;
}

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** The permutations of GB/T 32905 §4.4. */
const p0 = (x: number): number => x ^ rotl(x, 9) ^ rotl(x, 17);
const p1 = (x: number): number => x ^ rotl(x, 15) ^ rotl(x, 23);
