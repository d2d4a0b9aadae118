// The batcher's view of SealAnchor: read the counters and stored batches, find the transaction that
// anchored a batch, send anchor() and wait for confirmations.
import { Contract, JsonRpcProvider, Wallet, type ContractTransactionResponse, type Provider, type Signer } from "ethers";
import { SEAL_ANCHOR_WRITE_ABI } from "./abi";
import { createChainReader, type RawRpc } from "./reader";
import type { OnChainBatch } from "../evidence";

/** A provider that also takes raw JSON-RPC calls: batch reads go through the evidence core's one reader. */
type RpcProvider = Provider & RawRpc;

export interface BatchToAnchor {
  id: number;
  root: string;
  firstSeq: number;
  count: number;
}

export interface AnchorTx {
  txHash: string;
  blockNumber: number;
}

export interface AnchorClient {
  /** Null until the node has answered (a client made by lazyAnchorClient for a node that is down). */
  readonly chainId: number | null;
  readonly contract: string;
  counters(): Promise<{ batchCount: number; nextSeq: number }>;
  batch(id: number): Promise<OnChainBatch | null>;
  /** The transaction whose BatchAnchored event recorded batch `id`, searched in the block the contract stored. */
  findAnchorTx(id: number, blockNumber: number): Promise<AnchorTx | null>;
  send(batch: BatchToAnchor): Promise<string>;
  confirm(txHash: string, confirmations: number, timeoutMs: number): Promise<AnchorTx>;
  close(): void;
}

/** A client whose node has answered: its chain id is known. */
export interface ConnectedAnchorClient extends AnchorClient {
  readonly chainId: number;
}

export async function connectAnchorClient(rpcUrl: string, contractAddress: string, anchorerKey: string): Promise<ConnectedAnchorClient> {
  // cacheTimeout -1: against a real node, cached answers make nonces and counters go stale. batchMaxCount 1:
  // ethers otherwise holds each call 10 ms hoping to batch it, and an anchor makes ~10 calls in sequence
  // (measured: 160 ms of chain time per batch, most of it those stalls).
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true, pollingInterval: 250, batchMaxCount: 1 });
  try {
    const client = await createAnchorClient(provider, new Wallet(anchorerKey, provider), contractAddress);
    return { ...client, close: () => provider.destroy() };
  } catch (err) {
    provider.destroy();
    throw err;
  }
}

/**
 * A client for a node that may be unreachable now: it connects on first use and again after a failed attempt, so
 * the service starts and takes records while the chain is down; calls fail until the node answers (the batcher
 * retries them), and chainId is null until then.
 */
export function lazyAnchorClient(rpcUrl: string, contractAddress: string, anchorerKey: string): AnchorClient {
  let connected: ConnectedAnchorClient | null = null;
  let connecting: Promise<ConnectedAnchorClient> | null = null;
  let closed = false;
  const client = (): Promise<ConnectedAnchorClient> => {
    if (connected) return Promise.resolve(connected);
    if (closed) return Promise.reject(new Error("the anchor client is closed"));
    connecting ??= connectAnchorClient(rpcUrl, contractAddress, anchorerKey)
      .then((c) => {
        if (closed) c.close();
        connected = c;
        return c;
      })
      .finally(() => (connecting = null));
    return connecting;
  };
  return {
    get chainId() {
      return connected?.chainId ?? null;
    },
    contract: contractAddress,
    counters: async () => (await client()).counters(),
    batch: async (id) => (await client()).batch(id),
    findAnchorTx: async (id, blockNumber) => (await client()).findAnchorTx(id, blockNumber),
    send: async (batch) => (await client()).send(batch),
    confirm: async (txHash, confirmations, timeoutMs) => (await client()).confirm(txHash, confirmations, timeoutMs),
    close: () => {
      closed = true;
      connected?.close();
    },
  };
}

/** An AnchorClient over any ethers provider and signer (a JSON-RPC node, or Hardhat's in-process network). */
export async function createAnchorClient(provider: RpcProvider, signer: Signer, contractAddress: string): Promise<ConnectedAnchorClient> {
  const chainId = Number((await provider.getNetwork()).chainId);
  const contract = new Contract(contractAddress, SEAL_ANCHOR_WRITE_ABI, signer);
  const reader = createChainReader(provider, contractAddress);
  let gasLimit: bigint | null = null;
  return {
    chainId,
    contract: contractAddress,
    async counters() {
      const [batchCount, nextSeq] = (await Promise.all([contract.batchCount(), contract.nextSeq()])) as [bigint, bigint];
      return { batchCount: Number(batchCount), nextSeq: Number(nextSeq) };
    },
    batch: (id) => reader.readBatch(id),
    async findAnchorTx(id, blockNumber) {
      const logs = await contract.queryFilter(contract.filters.BatchAnchored(id), blockNumber, blockNumber);
      const log = logs[0];
      return log ? { txHash: log.transactionHash, blockNumber: log.blockNumber } : null;
    },
    async send(batch) {
      const args = [batch.id, `0x${batch.root}`, batch.firstSeq, batch.count] as const;
      // anchor() costs the same whatever the batch, so one estimate (with headroom) serves every later send.
      gasLimit ??= ((await contract.anchor.estimateGas(...args)) * 3n) / 2n;
      const tx = (await contract.anchor(...args, { gasLimit })) as ContractTransactionResponse;
      return tx.hash;
    },
    async confirm(txHash, confirmations, timeoutMs) {
      // Polled rather than provider.waitForTransaction, which Hardhat's in-process provider lacks.
      const deadline = Date.now() + timeoutMs;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const receipt = await provider.getTransactionReceipt(txHash);
        if (receipt !== null && receipt.status !== 1) throw new Error(`transaction ${txHash} reverted`);
        if (receipt !== null && (await provider.getBlockNumber()) - receipt.blockNumber + 1 >= confirmations) return { txHash, blockNumber: receipt.blockNumber };
        // Short waits first (a dev chain mines at once), then no faster than a block could arrive anyway.
        await new Promise((r) => setTimeout(r, Math.min(CONFIRM_POLL_MAX_MS, CONFIRM_POLL_FIRST_MS * 2 ** attempt)));
      }
      throw new Error(`transaction ${txHash} not confirmed within ${timeoutMs} ms`);
    },
    close: () => undefined,
  };
}

const CONFIRM_POLL_FIRST_MS = 2;
const CONFIRM_POLL_MAX_MS = 500;
