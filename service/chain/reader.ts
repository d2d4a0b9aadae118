// A ChainReader over ethers v6: what verifyReceipt() needs to read from the chain, and nothing else.
import { Contract, type Provider } from "ethers";
import type { ChainReader, OnChainBatch, OnChainTx, ReceiptAnchor } from "../evidence";
import { SEAL_ANCHOR_READ_ABI } from "./abi";

export function createChainReader(provider: Provider): ChainReader {
  return {
    chainId: async () => Number((await provider.getNetwork()).chainId),
    readBatch: (anchor, batchId) => readBatch(provider, anchor, batchId),
    readTransaction: (txHash) => readTransaction(provider, txHash),
  };
}

async function readBatch(provider: Provider, anchor: ReceiptAnchor, batchId: number): Promise<OnChainBatch | null> {
  const contract = new Contract(anchor.contract, SEAL_ANCHOR_READ_ABI, provider);
  // batchCount() first: an unknown id is an answer (null), not an error, and a non-contract address fails here.
  const count = Number(await contract.batchCount());
  if (batchId >= count) return null;
  const [root, firstSeq, size, anchoredAt, blockNumber] = (await contract.batch(batchId)) as [string, bigint, bigint, bigint, bigint];
  return {
    root: root.slice(2).toLowerCase(),
    firstSeq: Number(firstSeq),
    count: Number(size),
    anchoredAt: Number(anchoredAt),
    blockNumber: Number(blockNumber),
  };
}

async function readTransaction(provider: Provider, txHash: string): Promise<OnChainTx | null> {
  const receipt = await provider.getTransactionReceipt(txHash);
  if (receipt === null) return null;
  return { blockNumber: receipt.blockNumber, to: receipt.to, succeeded: receipt.status === 1 };
}
