// Benchmark: our flat-array RFC 6962 SM3 tree (service/evidence/merkle.ts, hashing through sm3.into, the
// allocation-free JS SM3 of sm3.ts) against merkletreejs given Node's crypto.hash SM3, at 10k, 100k and 1M leaves,
// next to the per-hash rates of both SM3s. Table on stdout, then one JSON summary line last.
import { hash as cryptoHash, randomBytes } from "node:crypto";
import { MerkleTree as PeerTree } from "merkletreejs";
import { toHex } from "../../service/evidence/bytes";
import { HASH_SIZE, sm3 } from "../../service/evidence/hash";
import { sm3Into } from "../../service/evidence/sm3";
import { buildTree, inclusionProof, rootOf, verifyInclusion, RFC6962_LEAF_HASH_PREFIX, type MerkleTree } from "../../service/evidence/merkle";

const SIZES = [10_000, 100_000, 1_000_000];
const OPS = 1_000;
const RATE_HASHES = 1_000_000;
const BUILD_ROUNDS = 3;
// One round of per-hash rates before the builds and one after each size.
const RATE_ROUNDS = SIZES.length + 1;
// 65 bytes is one node-hash input (0x01 ‖ left ‖ right), the bulk of a build's hashing.
const RATE_INPUT_BYTES = 1 + 2 * HASH_SIZE;
const WARMUP_LEAVES = 4_096;
const MB = 1024 * 1024;

type Impl = "ours" | "merkletreejs";

interface Row {
  readonly n: number;
  readonly impl: Impl;
  readonly buildMs: number;
  readonly proofsMs: number;
  readonly verifyMs: number;
  readonly rssMB: number;
}

/** What the bench needs from a tree implementation; leaf() and root() are read outside the timed loops. */
interface Subject<Tree, Proof> {
  readonly impl: Impl;
  build(leaves: readonly Buffer[]): Tree;
  leaf(tree: Tree, index: number): Buffer;
  root(tree: Tree): Buffer;
  prove(tree: Tree, index: number): Proof;
  verify(tree: Tree, index: number, leaf: Buffer, proof: Proof, root: Buffer): boolean;
}

type PeerProof = ReturnType<PeerTree["getProof"]>;

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const ours: Subject<MerkleTree, Uint8Array[]> = {
  impl: "ours",
  build: (leaves) => buildTree(sm3, leaves),
  leaf: (tree, index) => asBuffer(tree.levels[0].subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE)),
  root: (tree) => asBuffer(rootOf(tree)),
  prove: (tree, index) => inclusionProof(tree, index),
  verify: (tree, index, leaf, proof, root) => verifyInclusion(sm3, index, tree.size, leaf, proof, root),
};

// Node's crypto.hash SM3, Buffer in / Buffer out as merkletreejs expects: the hash our tree used before sm3.into, so
// the speedup includes the switch to the JS SM3 (merkletreejs cannot write into a caller's array, only return digests).
const peerSm3 = (data: Buffer): Buffer => cryptoHash("sm3", data, "buffer");
const LEAF_PREFIX = Buffer.from([RFC6962_LEAF_HASH_PREFIX]);

// merkletreejs options: hashLeaves false (we hand it leaf hashes), and every other option at its default, which
// is already the fair choice: sortLeaves/sortPairs/sort false keep order (sorting would cost extra and change the
// tree), duplicateOdd/isBitcoinTree false promote a lone right node unhashed exactly like RFC 6962 (so both trees
// do the same N-1 node hashes), complete false and no fillDefaultHash add no padding nodes. Its node hash is
// SM3(left ‖ right) without the 0x01 prefix: 64 vs 65 bytes, the same two SM3 blocks.
const PEER_OPTIONS = { hashLeaves: false } as const;

const peer: Subject<PeerTree, PeerProof> = {
  impl: "merkletreejs",
  // Its build includes the SM3(0x00 ‖ data) leaf hashes, because ours does them too: both then do 2N-1 hashes.
  build: (leaves) => new PeerTree(leaves.map(peerLeafHash), peerSm3, PEER_OPTIONS),
  leaf: (tree, index) => tree.getLeaf(index),
  root: (tree) => tree.getRoot(),
  // Passing the index skips its linear search for the leaf, which would otherwise dominate at 1M.
  prove: (tree, index) => tree.getProof(tree.getLeaf(index), index),
  verify: (tree, _index, leaf, proof, root) => tree.verify(proof, leaf, root),
};

function peerLeafHash(data: Buffer): Buffer {
  return peerSm3(Buffer.concat([LEAF_PREFIX, data]));
}

function collectGarbage(): void {
  if (!global.gc) return;
  // A second pass frees what the first one's finalizers released (external Buffer backing stores).
  global.gc();
  global.gc();
}

const rssMB = (): number => process.memoryUsage.rss() / MB;

function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function progress(message: string): void {
  process.stderr.write(`[bench:merkle] ${message}\n`);
}

/** Leaves are views into one random buffer so generating them is quick and does not fragment the heap. */
function randomLeaves(n: number): Buffer[] {
  const pool = randomBytes(n * HASH_SIZE);
  return Array.from({ length: n }, (_, i) => pool.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

function randomIndices(n: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(Math.random() * n));
}

interface HashRates {
  /** One-shot crypto.hash("sm3", …) calls, each returning a new Buffer: what merkletreejs is given. */
  readonly cryptoHash: number;
  /** sm3Into writing into one preallocated digest: what our build uses. */
  readonly jsSm3: number;
}

type RateSource = keyof HashRates;

const RATE_LABELS: Record<RateSource, string> = { cryptoHash: "crypto.hash", jsSm3: "JS sm3Into" };

/**
 * One round of both per-hash rates, back to back so they share the machine's state. main() runs a round before the
 * builds and one after each size and keeps the best of each: a round slowed by other load cannot inflate the limit.
 */
function measureHashRates(): HashRates {
  const input = randomBytes(RATE_INPUT_BYTES);
  const digest = new Uint8Array(HASH_SIZE);
  const rates = { cryptoHash: cryptoHashRate(input), jsSm3: jsSm3Rate(input, digest) };
  if (toHex(digest) !== cryptoHash("sm3", input, "hex")) throw new Error("sm3Into disagrees with crypto.hash");
  return rates;
}

const bestRates = (a: HashRates, b: HashRates): HashRates => ({ cryptoHash: Math.max(a.cryptoHash, b.cryptoHash), jsSm3: Math.max(a.jsSm3, b.jsSm3) });

// Two loops rather than one taking a callback: each calls its hash directly, as the builds do, with no closure call.
function cryptoHashRate(input: Uint8Array): number {
  const start = process.hrtime.bigint();
  // A native call is opaque to V8, so the unused result cannot be optimised away.
  for (let i = 0; i < RATE_HASHES; i++) cryptoHash("sm3", input, "buffer");
  return (RATE_HASHES / elapsedMs(start)) * 1000;
}

function jsSm3Rate(input: Uint8Array, digest: Uint8Array): number {
  const start = process.hrtime.bigint();
  // Writes to an array that outlives the loop and is checked afterwards, so the work cannot be elided.
  for (let i = 0; i < RATE_HASHES; i++) sm3Into(input, digest, 0);
  return (RATE_HASHES / elapsedMs(start)) * 1000;
}

/** The limit is priced at the faster per-hash rate, so a build cannot look close to it just by using the slow hash. */
const fasterSource = (rates: HashRates): RateSource => (rates.jsSm3 >= rates.cryptoHash ? "jsSm3" : "cryptoHash");

/** One implementation at one size, alone in the heap: the caller holds only the leaves while this runs. */
function runPhase<Tree, Proof>(subject: Subject<Tree, Proof>, leaves: readonly Buffer[], indices: readonly number[]): Row {
  collectGarbage();
  const baseline = rssMB();
  const buildStart = process.hrtime.bigint();
  const tree = subject.build(leaves);
  const buildMs = elapsedMs(buildStart);
  // Read while the tree is live and before any forced gc: what the build really took from the machine.
  const rssGrowth = rssMB() - baseline;

  const proofStart = process.hrtime.bigint();
  const proofs = indices.map((index) => subject.prove(tree, index));
  const proofsMs = elapsedMs(proofStart);

  const targets = indices.map((index) => subject.leaf(tree, index));
  const root = subject.root(tree);
  const verifyStart = process.hrtime.bigint();
  const verdicts = indices.map((index, k) => subject.verify(tree, index, targets[k], proofs[k], root));
  const verifyMs = elapsedMs(verifyStart);

  assertVerifies(subject, tree, indices, verdicts, proofs, root);
  return { n: leaves.length, impl: subject.impl, buildMs, proofsMs, verifyMs, rssMB: rssGrowth };
}

/** A bench of broken code measures nothing: every proof must verify, and a wrong leaf must not. */
function assertVerifies<Tree, Proof>(
  subject: Subject<Tree, Proof>,
  tree: Tree,
  indices: readonly number[],
  verdicts: readonly boolean[],
  proofs: readonly Proof[],
  root: Buffer,
): void {
  const failed = verdicts.indexOf(false);
  if (failed !== -1) throw new Error(`${subject.impl}: proof for leaf ${indices[failed]} did not verify`);
  const wrongLeaf = Buffer.from(subject.leaf(tree, indices[0]));
  wrongLeaf[0] ^= 1;
  if (subject.verify(tree, indices[0], wrongLeaf, proofs[0], root)) throw new Error(`${subject.impl}: a tampered leaf verified`);
}

/** Runs both implementations once on a small tree so the measured runs start with optimised code. */
function warmUp(): void {
  const leaves = randomLeaves(WARMUP_LEAVES);
  const indices = randomIndices(WARMUP_LEAVES, OPS);
  runPhase(ours, leaves, indices);
  runPhase(peer, leaves, indices);
}

function runSize(n: number): Row[] {
  const label = `N=${n.toLocaleString("en-US")}`;
  progress(`${label}: generating leaves`);
  const leaves = randomLeaves(n);
  const indices = randomIndices(n, OPS);
  const ourRuns: Row[] = [];
  const peerRuns: Row[] = [];
  // Alternating rounds give both sides the same share of whatever else the machine is doing.
  for (let round = 1; round <= BUILD_ROUNDS; round++) {
    ourRuns.push(runPhase(ours, leaves, indices));
    progress(`${label} round ${round}/${BUILD_ROUNDS}: ours built in ${ourRuns[ourRuns.length - 1].buildMs.toFixed(0)} ms`);
    if (n >= 1_000_000) progress(`${label} round ${round}/${BUILD_ROUNDS}: merkletreejs is slow and memory-hungry at this size, still running`);
    peerRuns.push(runPhase(peer, leaves, indices));
    progress(`${label} round ${round}/${BUILD_ROUNDS}: merkletreejs built in ${peerRuns[peerRuns.length - 1].buildMs.toFixed(0)} ms`);
  }
  return [bestOf(ourRuns), bestOf(peerRuns)];
}

/** Best time of each measure (noise only ever adds time) but the worst RSS growth (later rounds reuse freed pages). */
function bestOf(runs: readonly Row[]): Row {
  const min = (pick: (r: Row) => number): number => Math.min(...runs.map(pick));
  return {
    n: runs[0].n,
    impl: runs[0].impl,
    buildMs: min((r) => r.buildMs),
    proofsMs: min((r) => r.proofsMs),
    verifyMs: min((r) => r.verifyMs),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
  };
}

// Every hash is priced as a 65-byte node hash (two SM3 blocks), though the N leaf inputs are 33 bytes (one block):
// with the JS SM3, whose cost is per block, a build doing nothing but hashing would come in near 0.75 of this limit.
const limitMs = (n: number, hashesPerSecond: number): number => ((2 * n) / hashesPerSecond) * 1000;

function formatTable(rows: readonly Row[], rates: HashRates): string {
  const source = fasterSource(rates);
  const hashesPerSecond = rates[source];
  const header = ["N", "impl", "build ms", "1k proofs ms", "1k verify ms", "RSS +MB"];
  const body: string[][] = [];
  for (const n of SIZES) {
    for (const row of rows.filter((r) => r.n === n)) {
      body.push([String(n), row.impl, row.buildMs.toFixed(1), row.proofsMs.toFixed(2), row.verifyMs.toFixed(2), row.rssMB.toFixed(1)]);
    }
    body.push([String(n), `SM3 limit (2N / ${RATE_LABELS[source]} rate)`, limitMs(n, hashesPerSecond).toFixed(1), "-", "-", "-"]);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((line) => line[c].length)));
  // Numbers right-aligned so their digits line up; the impl name reads better left-aligned.
  const format = (line: readonly string[]): string => line.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const rate = (s: RateSource): string => `${Math.round(rates[s]).toLocaleString("en-US")} hashes/s ${RATE_LABELS[s]}${s === source ? " (faster: the limit uses it)" : ""}`;
  const rateLine = `SM3 on ${RATE_INPUT_BYTES}-byte inputs, best of ${RATE_ROUNDS} x ${RATE_HASHES.toLocaleString("en-US")} spread over the run: ${rate("cryptoHash")}, ${rate("jsSm3")}`;
  const hashes = "hashing: ours via sm3.into (JS SM3 into the level arrays); merkletreejs via crypto.hash SM3";
  const method = `times: best of ${BUILD_ROUNDS} alternating rounds; RSS +MB: largest growth seen over those rounds`;
  return [rateLine, hashes, method, format(header), rule, ...body.map(format)].join("\n");
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function summary(rows: readonly Row[], rates: HashRates): string {
  const n = SIZES[SIZES.length - 1];
  const find = (impl: Impl): Row => {
    const row = rows.find((r) => r.n === n && r.impl === impl);
    if (!row) throw new Error(`no ${impl} row at N=${n}`);
    return row;
  };
  const [mine, theirs] = [find("ours"), find("merkletreejs")];
  return JSON.stringify({
    bench: "merkle",
    n,
    buildMs: round2(mine.buildMs),
    peerBuildMs: round2(theirs.buildMs),
    speedup: round2(theirs.buildMs / mine.buildMs),
    limitRatio: round2(mine.buildMs / limitMs(n, rates[fasterSource(rates)])),
    rssMB: round2(mine.rssMB),
  });
}

function main(): void {
  if (!global.gc) progress("global.gc unavailable (run with --expose-gc): RSS baselines include uncollected garbage");
  progress("measuring the raw SM3 rates (crypto.hash and JS sm3Into)");
  let rates = measureHashRates();
  progress("warming up");
  warmUp();
  const rows: Row[] = [];
  for (const n of SIZES) {
    rows.push(...runSize(n));
    progress(`N=${n.toLocaleString("en-US")}: measuring the raw SM3 rates again`);
    rates = bestRates(rates, measureHashRates());
  }
  process.stdout.write(`${formatTable(rows, rates)}\n`);
  process.stdout.write(`${summary(rows, rates)}\n`);
}

main();
