// The in-process service plus a real chain node (the embedded dev chain, anvil) with SealAnchor deployed,
// and a batcher the test drives pass by pass: for tests where a CLI or a browser must read the chain.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { startDevChain, DEV_ANCHORER_KEY, type DevChain } from "../../service/chain/dev-chain";
import { ensureDevDeployment } from "../../service/chain/deploy";
import { connectAnchorClient, type AnchorClient } from "../../service/chain/anchor-client";
import { Batcher } from "../../service/anchoring/batcher";
import { startService, type TestService } from "./service";
import type { Deployment } from "../../service/evidence";

export interface AnchoredService {
  svc: TestService;
  /** The dev chain's SealAnchor: what the service publishes and verifiers pin. */
  deployment: Deployment;
  chain: DevChain;
  client: AnchorClient;
  /** Closes and anchors everything stored so far. */
  anchorAll(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAnchoredService(options: Parameters<typeof startService>[1] = {}): Promise<AnchoredService> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-anchored-"));
  const chain = await startDevChain(dir, 0);
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
  const { address } = await ensureDevDeployment(provider, new Wallet(DEV_ANCHORER_KEY, provider), chain.dir);
  provider.destroy();
  const client = await connectAnchorClient(chain.rpcUrl, address, DEV_ANCHORER_KEY);
  const deployment: Deployment = { chainId: client.chainId, contract: client.contract.toLowerCase() };
  const published = { deployment: () => deployment, deploymentBlock: async () => null, commandPublicKey: null };
  const svc = await startService({}, { wellKnown: published, verifyPage: { rpcUrl: null, deployment: () => deployment }, ...options });
  return {
    svc,
    deployment,
    chain,
    client,
    async anchorAll() {
      const batcher = new Batcher(svc.store, client, { batchMax: 4096, batchIntervalMs: 0, confirmations: 1, pollMs: 10, leaseTtlMs: 10_000, now: () => new Date(), log: () => undefined });
      for (let i = 0; i < 100 && (await batcher.pass()); i++);
      await batcher.stop();
    },
    async stop() {
      client.close();
      await svc.stop();
      await chain.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
