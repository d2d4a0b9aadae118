// The evidence core's SealAnchor reader over an ethers provider (a JSON-RPC node, or Hardhat's in-process
// network): what verifyReceipt() and the batcher read from the chain, for the one contract it is made for.
import { createSealAnchorReader, type ChainReader } from "../evidence";

/** Any provider that passes raw JSON-RPC calls through (ethers' JsonRpcProvider, Hardhat's provider). */
export interface RawRpc {
  send(method: string, params: unknown[]): Promise<unknown>;
}

export function createChainReader(provider: RawRpc, contractAddress: string): ChainReader {
  return createSealAnchorReader((method, params) => provider.send(method, params), contractAddress);
}
