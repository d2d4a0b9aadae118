// Records → batch → anchor on the in-process Hardhat chain → receipt from the API → verifyReceipt, and each
// kind of tampering with a service-made receipt fails with its own code.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { deployAnchor } from "../helpers/deploy-anchor";
import { createAnchorClient, type ConnectedAnchorClient } from "../../service/chain/anchor-client";
import { createChainReader } from "../../service/chain/reader";
import { Batcher, type BatcherOptions } from "../../service/anchoring/batcher";
import { verifyReceipt, type ChainReader, type Deployment, type ReceiptBundle } from "../../service/evidence";
import { acceptedCount } from "../store/fixtures";

const quiet: BatcherOptions = { batchMax: 4096, batchIntervalMs: 0, confirmations: 1, pollMs: 10, leaseTtlMs: 10_000, now: () => new Date(), log: () => undefined };

/** Runs batcher passes until nothing is left to close or anchor, then hands the lease back. */
async function drain(batcher: Batcher): Promise<void> {
  for (let i = 0; i < 100 && (await batcher.pass()); i++);
  await batcher.stop();
}

describe("anchoring: end to end on the in-process chain", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let client: ConnectedAnchorClient;
  let reader: ChainReader;
  let deployment: Deployment;

  beforeEach(async () => {
    svc = await startService();
    co = await createCompany(svc);
    const fx = await deployAnchor();
    client = await createAnchorClient(ethers.provider, fx.anchorer, fx.address);
    reader = createChainReader(ethers.provider, fx.address);
    deployment = { chainId: client.chainId, contract: fx.address.toLowerCase() };
  });
  afterEach(() => svc.stop());

  async function anchoredUsage(options: Partial<BatcherOptions> = {}) {
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    const used = await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none));
    const pending = await svc.call("GET", `/api/v1/receipts/${used.receipt}`);
    expect(pending.body.status, JSON.stringify(pending.body)).to.equal("pending");
    const batcher = new Batcher(svc.store, client, { ...quiet, ...options });
    await drain(batcher);
    const view = await ok(svc.call("GET", `/api/v1/receipts/${used.receipt}`));
    return { used, view, batcher };
  }

  it("anchors every record and the public receipt verifies with the seal's registration receipt", async () => {
    const { view } = await anchoredUsage();
    expect(view.status).to.equal("anchored");
    expect(view.seal).to.deep.include({ name: "合同专用章", type: "contract", status: "active" });
    const report = await verifyReceipt(view.receipt, reader, { deployment, receiptId: view.receipt.record.data.receipt, sealReceipt: view.sealReceipt, companyReceipt: view.companyReceipt });
    expect(report.steps.map((s) => `${s.step}:${s.ok}`)).to.deep.equal([
      "format:true", "deployment:true", "receipt:true", "leaf:true", "position:true", "chain:true", "proof:true", "anchor:true", "signature:true", "company:true",
    ]);
    expect(report.facts.company).to.deep.include({ id: co.id, name: "Test Trading Co." });
    expect(report.facts.company?.creditCode).to.match(/^[0-9A-Z]{18}$/);
    expect(report.facts.seal).to.deep.include({ name: "合同专用章", kind: "electronic", sealType: "contract" });
    const { batchCount, nextSeq } = await client.counters();
    expect(nextSeq).to.equal(await svc.store.records.count());
    expect(batchCount).to.equal(((await svc.store.batches.last())?.id ?? -1) + 1);
  });

  it("a changed record byte, path element, root and batch id each fail with their own code", async () => {
    const batcher = new Batcher(svc.store, client, { ...quiet, batchMax: 5 });
    await drain(batcher);
    const { view } = await anchoredUsage({ batchMax: 5 });
    const receipt = view.receipt as ReceiptBundle;
    expect(receipt.batch.id).to.be.greaterThan(0);
    const tamper = async (change: (r: ReceiptBundle) => void) => {
      const copy = structuredClone(receipt);
      change(copy);
      return (await verifyReceipt(copy, reader, { deployment, sealReceipt: view.sealReceipt })).code;
    };
    expect(await tamper((r) => (r.record.at = r.record.at.replace(/.$/, (c) => (c === "Z" ? "z" : "Z"))))).to.equal("LEAF_MISMATCH");
    expect(await tamper((r) => (r.proof.path[0] = r.proof.path[0].replace(/^./, (c) => (c === "0" ? "1" : "0"))))).to.equal("PROOF_INVALID");
    expect(await tamper((r) => (r.batch.root = r.batch.root.replace(/^./, (c) => (c === "0" ? "1" : "0"))))).to.equal("ROOT_MISMATCH");
    expect(await tamper((r) => (r.batch.id -= 1))).to.equal("BATCH_RANGE_MISMATCH");
  });

  it("closes batches by size, then the remainder by age", async () => {
    const batcher = new Batcher(svc.store, client, { ...quiet, batchMax: 4, batchIntervalMs: 60_000 });
    const total = await acceptedCount(svc.store);
    await drain(batcher);
    const full = Math.floor(total / 4);
    expect((await svc.store.batches.last())?.id).to.equal(full - 1);
    expect((await client.counters()).nextSeq).to.equal(full * 4);
    const aged = new Batcher(svc.store, client, { ...quiet, batchMax: 4, batchIntervalMs: 60_000, now: () => new Date(Date.now() + 61_000) });
    await drain(aged);
    expect((await client.counters()).nextSeq).to.equal(total);
  });

  it("re-anchors batches that vanished from a dev chain (31337), never anchoring one twice", async () => {
    const snapshot = await network.provider.send("evm_snapshot", []);
    const { used, view: before } = await anchoredUsage();
    const anchoredBefore = (await client.counters()).batchCount;
    await network.provider.send("evm_revert", [snapshot]);
    expect((await client.counters()).batchCount).to.equal(0);
    // Blocks mined meanwhile: the batches go into other blocks the second time.
    for (let i = 0; i < 3; i++) await network.provider.send("evm_mine", []);
    const batcher = new Batcher(svc.store, client, quiet);
    await drain(batcher);
    // The same batches again (their roots unchanged), plus one for the alert record the re-anchoring wrote.
    for (let id = 0; id < anchoredBefore; id++) expect((await client.batch(id))?.root).to.equal((await svc.store.batches.get(id))?.root);
    expect((await client.counters()).batchCount).to.equal(((await svc.store.batches.last())?.id ?? -1) + 1);
    const view = await ok(svc.call("GET", `/api/v1/receipts/${used.receipt}`));
    expect((await verifyReceipt(view.receipt, reader, { deployment, sealReceipt: view.sealReceipt })).ok).to.equal(true);
    // The registrations' receipts, read before the chain lost them, name their new anchors now.
    for (const which of ["sealReceipt", "companyReceipt"] as const) {
      const receipt = view[which] as ReceiptBundle;
      expect(receipt.anchor.blockNumber, which).to.not.equal((before[which] as ReceiptBundle).anchor.blockNumber);
      const stored = (await svc.store.batches.get(receipt.batch.id))?.anchor;
      expect({ txHash: receipt.anchor.txHash, blockNumber: receipt.anchor.blockNumber }, which).to.deep.equal({ txHash: stored?.txHash, blockNumber: stored?.blockNumber });
    }
    const alerts = (await svc.store.records.list({ company: "system", limit: 10 })).map((r) => r.data.code);
    expect(alerts).to.include("BATCHES_REANCHORING");
  });

  it("adopts a batch a crashed run anchored without recording it, instead of sending it again", async () => {
    const crashAfterClose = new Batcher(svc.store, client, { ...quiet, failpoint: (p) => { if (p === "after-close") throw new Error("crash"); } });
    await crashAfterClose.pass().catch(() => undefined);
    await crashAfterClose.stop();
    const batch = (await svc.store.batches.firstUnanchored())!;
    // The previous run sent and mined the anchor, then died before writing it down.
    await client.confirm(await client.send(batch), 1, 10_000);
    await drain(new Batcher(svc.store, client, quiet));
    const stored = await svc.store.batches.get(batch.id);
    expect(stored?.anchor?.blockNumber).to.equal((await client.batch(batch.id))?.blockNumber);
    expect((await client.counters()).batchCount).to.equal(batch.id + 1);
  });

  it("the public receipt route never answers by seq, 404s unknown ids and rate-limits", async () => {
    expect((await svc.call("GET", "/api/v1/receipts/0")).status).to.equal(400);
    const unknown = await svc.call("GET", "/api/v1/receipts/7Jq3v9PzX2mKc4TnR8wYbD");
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, "NOT_FOUND"]);
    const limited = await startService({}, { publicRateLimit: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await limited.call("GET", "/api/v1/receipts/7Jq3v9PzX2mKc4TnR8wYbD")).status);
      expect(statuses).to.deep.equal([404, 404, 404, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});
