// Connects the service to its chain: an external EVM network (CHAIN_RPC_URL, ANCHOR_CONTRACT and an
// anchorer key), reached lazily so that a chain that is down does not keep the service from starting, or, with
// none set, the embedded dev chain with the contract deployed on first start.
import fs from "node:fs";
import { JsonRpcProvider, Wallet } from "ethers";
import { connectAnchorClient, lazyAnchorClient, type AnchorClient } from "./anchor-client";
import { DEV_ANCHORER_KEY, startDevChain, type DevChain } from "./dev-chain";
import { ensureDevDeployment } from "./deploy";
import { ConfigError, type Config } from "../config";

export interface ChainConnection {
  client: AnchorClient;
  rpcUrl: string;
  devChain: DevChain | null;
  close(): Promise<void>;
}

export async function connectChain(config: Config, log: (line: string) => void): Promise<ChainConnection> {
  if (config.chainRpcUrl) return connectExternal(config);
  const devChain = await startDevChain(config.dataDir, config.devChainPort);
  try {
    const provider = new JsonRpcProvider(devChain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const { address, deployed } = await ensureDevDeployment(provider, new Wallet(DEV_ANCHORER_KEY, provider), devChain.dir);
    provider.destroy();
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

async function connectExternal(config: Config): Promise<ChainConnection> {
  if (!config.anchorContract) throw new ConfigError("CHAIN_RPC_URL is set: set ANCHOR_CONTRACT too (deploy one with scripts/deploy.ts)");
  const key = config.anchorerKey ?? (config.anchorerKeyFile ? fs.readFileSync(config.anchorerKeyFile, "utf8").trim() : undefined);
  if (!key) throw new ConfigError("CHAIN_RPC_URL is set: give the anchorer's private key in ANCHORER_KEY or ANCHORER_KEY_FILE");
  const rpcUrl = config.chainRpcUrl as string;
  // Not reached now: the service starts and takes records whether or not the chain is up; the batcher anchors once it is.
  const client = lazyAnchorClient(rpcUrl, config.anchorContract, key);
  return { client, rpcUrl, devChain: null, close: async () => client.close() };
}
