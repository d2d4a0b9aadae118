// On a chain that is not the dev chain (here anvil with chain id 1337), the batcher never rewrites
// history: a root that differs from the store's, or anchored batches that vanished, raise a critical
// alert and stop anchoring.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import { startService, type TestService } from "../helpers/service";
import { createCompany } from "../helpers/company";
import { DEV_ANCHORER_KEY, startDevChain, type DevChain } from "../../service/chain/dev-chain";
import { deploySealAnchor } from "../../service/chain/deploy";
import { connectAnchorClient, type AnchorClient } from "../../service/chain/anchor-client";
import { Batcher, type BatcherOptions } from "../../service/anchoring/batcher";
import { metrics } from "../../service/metrics";

/** The /metrics counter of alerts raised with `code`, as Prometheus would scrape it. */
function alertCount(code: string): number {
  const line = metrics.render().split("\n").find((l) => l.startsWith(`sealproof_alerts_raised_total{code="${code}"}`));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

const OTHER_CHAIN_ID = 1337;

describe("anchoring: a non-dev chain is never rewritten", function () {
  this.timeout(120_000);
  let dir: string;
  let node: DevChain;
  let provider: JsonRpcProvider;
  let svc: TestService;
  let client: AnchorClient;
  const options: BatcherOptions = { batchMax: 4096, batchIntervalMs: 0, confirmations: 1, pollMs: 10, leaseTtlMs: 10_000, now: () => new Date(), log: () => undefined };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-chain-"));
    node = await startDevChain(dir, 0, OTHER_CHAIN_ID);
    provider = new JsonRpcProvider(node.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const wallet = new Wallet(DEV_ANCHORER_KEY, provider);
    const { address } = await deploySealAnchor(wallet, wallet.address, wallet.address);
    client = await connectAnchorClient(node.rpcUrl, address, DEV_ANCHORER_KEY);
    svc = await startService();
    await createCompany(svc);
  });
  afterEach(async () => {
    client.close();
    provider.destroy();
    await svc.stop();
    await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function criticalAlerts(): Promise<unknown[]> {
    // Read by time: the batcher's alerts are accepted records, waiting for the sequencer the batcher has stopped.
    const { items } = await svc.store.records.page({ company: "system", type: "alert.raised" }, { limit: 100 });
    return items.filter(({ record }) => record.data.severity === "critical").map(({ record }) => record.data.code);
  }

  it("a root on chain that differs from the store's stops anchoring with a critical alert", async () => {
    const crashing = new Batcher(svc.store, client, { ...options, failpoint: (p) => { if (p === "after-close") throw new Error("stop after close"); } });
    await crashing.pass().catch(() => undefined);
    await crashing.stop();
    const batch = (await svc.store.batches.firstUnanchored())!;
    await client.confirm(await client.send({ ...batch, root: "ab".repeat(32) }), 1, 10_000);
    const batcher = new Batcher(svc.store, client, options);
    expect(await batcher.pass()).to.equal(false);
    expect(batcher.status.state).to.equal("halted");
    expect(await criticalAlerts()).to.deep.equal(["ROOT_MISMATCH"]);
    expect((await svc.store.batches.get(batch.id))?.anchor).to.equal(null);
    // Halted, it anchors nothing more; the sequencer still numbers what is accepted (the alert's own record first).
    await batcher.pass();
    expect(await batcher.pass()).to.equal(false);
    expect(batcher.status.state).to.equal("halted");
    expect((await svc.store.batches.get(batch.id + 1))?.anchor).to.equal(null);
    expect((await client.counters()).batchCount).to.equal(1);
  });

  it("anchored batches that vanish stop anchoring with a critical alert instead of re-anchoring", async () => {
    const snapshot = (await provider.send("evm_snapshot", [])) as string;
    const batcher = new Batcher(svc.store, client, options);
    while (await batcher.pass());
    expect((await client.counters()).batchCount).to.equal(1);
    await provider.send("evm_revert", [snapshot]);
    const raisedBefore = alertCount("BATCHES_VANISHED");
    expect(await batcher.pass()).to.equal(false);
    expect(batcher.status.state).to.equal("halted");
    expect(await criticalAlerts()).to.deep.equal(["BATCHES_VANISHED"]);
    expect(alertCount("BATCHES_VANISHED")).to.equal(raisedBefore + 1);
    expect((await client.counters()).batchCount).to.equal(0);
    expect((await svc.store.batches.get(0))?.anchor).to.not.equal(null);
  });
});
