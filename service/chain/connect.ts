// Connects the service to its chain: an external EVM network (CHAIN_RPC_URL, ANCHOR_CONTRACT and an
// anchorer key), reached lazily so that a chain that is down does not keep the service from starting, or, with
// none set, the embedded dev chain with the contract deployed on first start.
import fs from "node:fs";
import { JsonRpcProvider, Wallet } from "ethers";
import { connectAnchorClient, lazyAnchorClient, type AnchorClient } from "./anchor-client";
import { DEV_ANCHORER_KEY, DEV_CHAIN_ID, startDevChain, type DevChain } from "./dev-chain";
import type { UnstableReport } from "./dev-chain-supervisor";
import { ensureDevDeployment } from "./deploy";
import { ConfigError, type Config } from "../config";

export interface ChainConnection {
  client: AnchorClient;
  rpcUrl: string;
  devChain: DevChain | null;
  close(): Promise<void>;
}

/** `onUnstable`: the embedded dev chain keeps exiting (it is restarted each time). */
export async function connectChain(config: Config, log: (line: string) => void, onUnstable?: (report: UnstableReport) => void): Promise<ChainConnection> {
  if (config.chainRpcUrl) return connectExternal(config);
  // After a restart that lost the whole chain (its state file cut short, and no earlier copy), the contract is
  // deployed again, at the same address: the deployer's first transaction on a fresh chain.
  const afterRestart = async () => void (await deployDev(devChain.rpcUrl, devChain.dir));
  const devChain = await startDevChain(config.dataDir, config.devChainPort, DEV_CHAIN_ID, { log, onUnstable, afterRestart });
  try {
    const { address, deployed } = await deployDev(devChain.rpcUrl, devChain.dir);
    log(`dev chain at ${devChain.rpcUrl} (chain 31337, state in ${devChain.dir}); SealAnchor ${deployed ? "deployed" : "found"} at ${address}`);
    const client = await connectAnchorClient(devChain.rpcUrl, address, DEV_ANCHORER_KEY);
    const close = async () => {
      client.close();
      await devChain.stop();
    };
    return { client, rpcUrl: devChain.rpcUrl, devChain, close };
  } catch (err) {
    await devChain.stop();
    throw err;
  }
}

async function deployDev(rpcUrl: string, dir: string): Promise<{ address: string; deployed: boolean }> {
  const provider = new JsonRpcProvider(rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
  try {
    return await ensureDevDeployment(provider, new Wallet(DEV_ANCHORER_KEY, provider), dir);
  } finally {
    provider.destroy();
  }
}

async function connectExternal(config: Config): Promise<ChainConnection> {
  if (!config.anchorContract) throw new ConfigError("CHAIN_RPC_URL is set: set ANCHOR_CONTRACT too (deploy one with scripts/deploy.ts)");
  const key = config.anchorerKey ?? (config.anchorerKeyFile ? fs.readFileSync(config.anchorerKeyFile, "utf8").trim() : undefined);
  if (!key) throw new ConfigError("CHAIN_RPC_URL is set: give the anchorer's private key in ANCHORER_KEY or ANCHORER_KEY_FILE");
  const rpcUrl = config.chainRpcUrl as string;
  // Not reached now: the service starts and takes records whether or not the chain is up; the batcher anchors once it is.
  const client = lazyAnchorClient(rpcUrl, config.anchorContract, key);
  return { client, rpcUrl, devChain: null, close: async () => client.close() };
}
