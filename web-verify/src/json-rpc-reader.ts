// A ChainReader over plain JSON-RPC with fetch: the three reads verifyReceipt() needs, with SealAnchor's two
// view calls encoded by hand so the page carries no ABI library (selectors are pinned by a test against the ABI).
import type { ChainReader, OnChainBatch, OnChainTx } from "../../service/evidence";

/** keccak256("batchCount()")[0..4] */
export const BATCH_COUNT_SELECTOR = "0x06f13056";
/** keccak256("batch(uint64)")[0..4] */
export const BATCH_SELECTOR = "0x857553cc";

const WORD_HEX = 64;
const REQUEST_TIMEOUT_MS = 15_000;

export class JsonRpcError extends Error {
  constructor(
    message: string,
    readonly rpcCode?: number,
  ) {
    super(message);
    this.name = "JsonRpcError";
  }
}

/** Reads the chain at `rpcUrl` and, of all contracts on it, only `contract`: the deployment the page pinned. */
export function createJsonRpcReader(rpcUrl: string, contract: string): ChainReader {
  let nextId = 1;
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    if (rpcUrl === "") throw new JsonRpcError("no JSON-RPC URL given");
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      referrerPolicy: "no-referrer",
    });
    const reply = (await res.json().catch(() => null)) as { result?: unknown; error?: { code?: number; message?: string } } | null;
    if (reply === null) throw new JsonRpcError(`${method}: HTTP ${res.status}, not a JSON-RPC answer`);
    if (reply.error) throw new JsonRpcError(`${method}: ${reply.error.message ?? "error"}`, reply.error.code);
    if (!res.ok) throw new JsonRpcError(`${method}: HTTP ${res.status}`);
    return reply.result;
  };
  return {
    chainId: async () => quantity(await call("eth_chainId", [])),
    readBatch: (batchId) => readBatch(call, contract, batchId),
    readTransaction: (txHash) => readTransaction(call, txHash),
  };
}

type Call = (method: string, params: unknown[]) => Promise<unknown>;

async function readBatch(call: Call, contract: string, batchId: number): Promise<OnChainBatch | null> {
  const ethCall = async (data: string): Promise<string[]> => words(await call("eth_call", [{ to: contract, data }, "latest"]));
  // batchCount() first, as the ethers reader does: an unknown id is an answer (null), and a non-contract fails here.
  const [count] = await ethCall(BATCH_COUNT_SELECTOR);
  if (count === undefined) throw new JsonRpcError(`${contract} is not a SealAnchor contract`);
  if (BigInt(batchId) >= BigInt(`0x${count}`)) return null;
  const fields = await ethCall(BATCH_SELECTOR + uint64Word(batchId));
  if (fields.length < 5) throw new JsonRpcError(`batch(${batchId}) returned ${fields.length} words, expected 5`);
  const [root, firstSeq, size, anchoredAt, blockNumber] = fields;
  return { root, firstSeq: wordNumber(firstSeq), count: wordNumber(size), anchoredAt: wordNumber(anchoredAt), blockNumber: wordNumber(blockNumber) };
}

async function readTransaction(call: Call, txHash: string): Promise<OnChainTx | null> {
  const receipt = (await call("eth_getTransactionReceipt", [txHash])) as { blockNumber?: unknown; to?: unknown; status?: unknown } | null;
  if (receipt === null) return null;
  return { blockNumber: quantity(receipt.blockNumber), to: typeof receipt.to === "string" ? receipt.to : null, succeeded: receipt.status === "0x1" };
}

/** The 32-byte words of an ABI-encoded return value, as lowercase hex without 0x. */
function words(result: unknown): string[] {
  if (typeof result !== "string" || !/^0x(?:[0-9a-fA-F]{64})*$/.test(result)) throw new JsonRpcError("eth_call returned malformed data");
  return (result.slice(2).toLowerCase().match(/.{64}/g) ?? []) as string[];
}

function uint64Word(value: number): string {
  return BigInt(value).toString(16).padStart(WORD_HEX, "0");
}

function wordNumber(word: string): number {
  const value = BigInt(`0x${word}`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new JsonRpcError(`value 0x${word} is out of range`);
  return Number(value);
}

function quantity(value: unknown): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(value)) throw new JsonRpcError(`malformed quantity ${String(value)}`);
  return Number.parseInt(value.slice(2), 16);
}
