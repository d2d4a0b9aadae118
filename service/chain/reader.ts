// A ChainReader over ethers v6: what verifyReceipt() needs to read from the chain, and nothing else. It reads
// the one SealAnchor it was made for (the pinned deployment's), whatever address a receipt names.
import { Contract, type Provider } from "ethers";
import type { ChainReader, OnChainBatch, OnChainTx } from "../evidence";
import { SEAL_ANCHOR_READ_ABI } from "./abi";

export function createChainReader(provider: Provider, contractAddress: string): ChainReader {
  const contract = new Contract(contractAddress, SEAL_ANCHOR_READ_ABI, provider);
  return {
    chainId: async () => Number((await provider.getNetwork()).chainId),
    readBatch: (batchId) => readBatch(contract, batchId),
    readTransaction: (txHash) => readTransaction(provider, txHash),
  };
}

async function readBatch(contract: Contract, batchId: number): Promise<OnChainBatch | null> {
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
