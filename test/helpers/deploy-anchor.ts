// Shared helpers for tests of contracts/SealAnchor.sol: deploy a fresh anchor, anchor a batch and collect its
// receipt and block, read the counters, and (for gas tests) jump the counters to large values.
import { ethers, network } from "hardhat";
import type { Block, Contract, ContractRunner, ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

export const ANCHORER_ROLE = ethers.id("ANCHORER_ROLE");
export const DEFAULT_ADMIN_ROLE = ethers.ZeroHash;
export const MAX_UINT32 = 2n ** 32n - 1n;
export const MAX_UINT64 = 2n ** 64n - 1n;

/**
 * Storage slot holding the packed counters `_batchCount` (low 8 bytes) and `_nextSeq` (next 8 bytes), followed by
 * the `_deployed` flag (byte 16) that keeps the slot non-zero. Slot 0 is AccessControl's `_roles`, slot 1 is
 * `_batches`. {@link setCounters} checks this through the views, so a layout change makes it throw instead of
 * silently testing something else.
 */
export const COUNTERS_SLOT = 2n;

export interface AnchorFixture {
  anchor: Contract;
  address: string;
  admin: HardhatEthersSigner;
  anchorer: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  others: HardhatEthersSigner[];
}

/** Deploys SealAnchor with signer 0 as admin and signer 1 as the only anchorer; signer 2 holds no role. */
export async function deployAnchor(): Promise<AnchorFixture> {
  const [admin, anchorer, outsider, ...others] = await ethers.getSigners();
  const anchor = await ethers.deployContract("SealAnchor", [admin.address, anchorer.address], admin);
  await anchor.waitForDeployment();
  return { anchor, address: await anchor.getAddress(), admin, anchorer, outsider, others };
}

/** The contract bound to another signer (ethers' `connect` is typed as returning a bare BaseContract). */
export function as(anchor: Contract, runner: ContractRunner): Contract {
  return anchor.connect(runner) as Contract;
}

/** A deterministic, distinct, all-bytes-likely-non-zero root for batch `i` (the label keeps tests readable). */
export function rootFor(i: number | bigint | string, label = "sealproof-batch"): string {
  return ethers.id(`${label}-${i}`);
}

export interface BatchArgs {
  batchId: bigint;
  root: string;
  firstSeq: bigint;
  count: bigint;
}

export interface Anchored {
  tx: ContractTransactionResponse;
  receipt: ContractTransactionReceipt;
  block: Block;
  gasUsed: bigint;
}

/** Sends `anchor(...)` as `signer`, waits for it to be mined and returns the receipt and its block. */
export async function anchorBatch(anchor: Contract, signer: ContractRunner, b: BatchArgs): Promise<Anchored> {
  const tx = (await as(anchor, signer).anchor(b.batchId, b.root, b.firstSeq, b.count)) as ContractTransactionResponse;
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("anchor transaction was not mined");
  if (receipt.status !== 1) throw new Error(`anchor transaction failed: status ${receipt.status}`);
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (block === null) throw new Error(`block ${receipt.blockNumber} not found`);
  return { tx, receipt, block, gasUsed: receipt.gasUsed };
}

/** Anchors the next batch (id = batchCount, firstSeq = nextSeq) of `count` records with root `rootFor(id)`. */
export async function anchorNext(anchor: Contract, signer: ContractRunner, count: bigint, root?: string): Promise<Anchored & BatchArgs> {
  const { batchCount, nextSeq } = await readCounters(anchor);
  const args: BatchArgs = { batchId: batchCount, root: root ?? rootFor(batchCount), firstSeq: nextSeq, count };
  return { ...args, ...(await anchorBatch(anchor, signer, args)) };
}

export interface Counters {
  batchCount: bigint;
  nextSeq: bigint;
}

export async function readCounters(anchor: Contract): Promise<Counters> {
  const [batchCount, nextSeq] = await Promise.all([anchor.batchCount(), anchor.nextSeq()]);
  return { batchCount: BigInt(batchCount), nextSeq: BigInt(nextSeq) };
}

export interface BatchView {
  root: string;
  firstSeq: bigint;
  count: bigint;
  anchoredAt: bigint;
  blockNumber: bigint;
}

export async function readBatch(anchor: Contract, id: bigint | number): Promise<BatchView> {
  const [root, firstSeq, count, anchoredAt, blockNumber] = await anchor.batch(id);
  return { root, firstSeq, count, anchoredAt, blockNumber };
}

/**
 * Test-only shortcut: overwrites the packed counters so gas and overflow behaviour can be measured at sequence
 * numbers that could never be reached by anchoring (2^64 needs 2^32 max-size batches). Batches below the new
 * batchCount are NOT written, so only use it where their contents don't matter.
 */
export async function setCounters(address: string, anchor: Contract, c: Counters): Promise<void> {
  if (c.batchCount > MAX_UINT64 || c.nextSeq > MAX_UINT64) throw new Error("counters are uint64");
  // Keep the slot's upper 128 bits: the `_deployed` flag lives there.
  const current = BigInt(await ethers.provider.getStorage(address, COUNTERS_SLOT));
  const packed = (current & ~((1n << 128n) - 1n)) | (c.nextSeq << 64n) | c.batchCount;
  await network.provider.send("hardhat_setStorageAt", [address, ethers.toQuantity(COUNTERS_SLOT), ethers.toBeHex(packed, 32)]);
  const got = await readCounters(anchor);
  if (got.batchCount !== c.batchCount || got.nextSeq !== c.nextSeq) {
    throw new Error(`SealAnchor storage layout changed: wrote ${JSON.stringify(c, big)}, read ${JSON.stringify(got, big)}`);
  }
}

function big(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** Mines `n` empty blocks and moves time forward by `seconds` (so consecutive batches get distinct block data). */
export async function advance(n: number, seconds: number): Promise<void> {
  if (seconds > 0) await network.provider.send("evm_increaseTime", [seconds]);
  if (n > 0) await network.provider.send("hardhat_mine", [ethers.toQuantity(n)]);
}
