// The one reader of SealAnchor and the chain, over any JSON-RPC transport: the page's fetch, the CLI's and the
// batcher's ethers providers. SealAnchor's two view calls are encoded by hand so the page carries no ABI library
// (the selectors are pinned by a test against the ABI). It reads only the contract it is made for.
import type { ChainReader, OnChainBatch, OnChainTx } from "./verify-receipt";

/** One JSON-RPC call: resolves to the result, or throws with the node's error. */
export type JsonRpcCall = (method: string, params: unknown[]) => Promise<unknown>;

/** keccak256("batchCount()")[0..4] */
export const BATCH_COUNT_SELECTOR = "0x06f13056";
/** keccak256("batch(uint64)")[0..4] */
export const BATCH_SELECTOR = "0x857553cc";

const WORD_HEX = 64;

export class ChainReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChainReadError";
  }
}

export function createSealAnchorReader(call: JsonRpcCall, contract: string): ChainReader {
  return {
    chainId: async () => quantity(await call("eth_chainId", [])),
    readBatch: (batchId) => readBatch(call, contract, batchId),
    readTransaction: (txHash) => readTransaction(call, txHash),
  };
}

async function readBatch(call: JsonRpcCall, contract: string, batchId: number): Promise<OnChainBatch | null> {
  const ethCall = async (data: string): Promise<string[]> => words(await call("eth_call", [{ to: contract, data }, "latest"]));
  // batchCount() first: an unknown id is an answer (null), and a non-contract fails here.
  const [count] = await ethCall(BATCH_COUNT_SELECTOR);
  if (count === undefined) throw new ChainReadError(`${contract} is not a SealAnchor contract`);
  if (BigInt(batchId) >= BigInt(`0x${count}`)) return null;
  const fields = await ethCall(BATCH_SELECTOR + uint64Word(batchId));
  if (fields.length < 5) throw new ChainReadError(`batch(${batchId}) returned ${fields.length} words, expected 5`);
  const [root, firstSeq, size, anchoredAt, blockNumber] = fields;
  return { root, firstSeq: wordNumber(firstSeq), count: wordNumber(size), anchoredAt: wordNumber(anchoredAt), blockNumber: wordNumber(blockNumber) };
}

async function readTransaction(call: JsonRpcCall, txHash: string): Promise<OnChainTx | null> {
  const receipt = (await call("eth_getTransactionReceipt", [txHash])) as { blockNumber?: unknown; to?: unknown; status?: unknown } | null;
  if (receipt === null) return null;
  return { blockNumber: quantity(receipt.blockNumber), to: typeof receipt.to === "string" ? receipt.to : null, succeeded: receipt.status === "0x1" };
}

/** The 32-byte words of an ABI-encoded return value, as lowercase hex without 0x. */
function words(result: unknown): string[] {
  if (typeof result !== "string" || !/^0x(?:[0-9a-fA-F]{64})*$/.test(result)) throw new ChainReadError("eth_call returned malformed data");
  return result.slice(2).toLowerCase().match(/.{64}/g) ?? [];
}

function uint64Word(value: number): string {
  return BigInt(value).toString(16).padStart(WORD_HEX, "0");
}

function wordNumber(word: string): number {
  const value = BigInt(`0x${word}`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ChainReadError(`value 0x${word} is out of range`);
  return Number(value);
}

function quantity(value: unknown): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(value)) throw new ChainReadError(`malformed quantity ${String(value)}`);
  return Number.parseInt(value.slice(2), 16);
}
