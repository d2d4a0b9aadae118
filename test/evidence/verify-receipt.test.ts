// verifyReceipt() against a real (in-process Hardhat) chain: genuine receipts pass, each tampering fails
// with the code of its own step.
import { expect } from "chai";
import { ethers } from "hardhat";
import {
  assembleReceipt,
  buildTree,
  generateSm2KeyPair,
  receiptProof,
  recordBytes,
  sm2Sign,
  sm3,
  toHex,
  rootOf,
  usageTbsBytes,
  verifyReceipt,
  type ChainReader,
  type EvidenceRecord,
  type ReceiptBundle,
  type UsageTbs,
  type VerifyCode,
} from "../../service/evidence";
import { createChainReader } from "../../service/chain/reader";
import { anchorBatch, deployAnchor, type AnchorFixture } from "../helpers/deploy-anchor";

const company = "c_7Yh2kQ";
const seal = "s_9PqR3t";
const signer = "m_4XcV8n";

function record(seq: number, type: EvidenceRecord["type"], subject: string, data: EvidenceRecord["data"]): EvidenceRecord {
  return { v: 1, seq, type, at: new Date(1_763_800_000_000 + seq * 1000).toISOString(), company, subject, actor: signer, data };
}

function usageRecord(seq: number, privateKey: string): EvidenceRecord {
  const tbs: UsageTbs = {
    v: 1,
    receipt: `R${seq}x8Kq2mZpW4tYbN3`,
    seal,
    signer,
    signedAt: "2026-11-22T08:00:00.000Z",
    documentHash: toHex(sm3(Buffer.from(`contract ${seq}`))),
    scenario: "sc_contract",
    request: null,
  };
  const signature = sm2Sign(usageTbsBytes(tbs), privateKey);
  return record(seq, "seal.used", seal, { receipt: tbs.receipt, signedAt: tbs.signedAt, documentHash: tbs.documentHash, scenario: tbs.scenario, request: null, signature });
}

/** Anchors `records` as the next batch and returns one receipt per record. */
async function anchorRecords(fx: AnchorFixture, batchId: number, records: EvidenceRecord[]): Promise<ReceiptBundle[]> {
  const tree = buildTree(sm3, records.map(recordBytes));
  const root = toHex(rootOf(tree));
  const firstSeq = records[0].seq;
  const { receipt } = await anchorBatch(fx.anchor, fx.anchorer, { batchId: BigInt(batchId), root: `0x${root}`, firstSeq: BigInt(firstSeq), count: BigInt(records.length) });
  const chainId = Number((await ethers.provider.getNetwork()).chainId);
  const anchor = { chainId, contract: fx.address, txHash: receipt.hash, blockNumber: receipt.blockNumber };
  return records.map((r, i) => assembleReceipt(r, receiptProof(tree, i), { id: batchId, root, firstSeq, count: records.length }, anchor));
}

const clone = <T>(value: T): T => structuredClone(value);

describe("evidence/verifyReceipt on a real chain", () => {
  let chain: ChainReader;
  let sealReceipt: ReceiptBundle;
  let usage: ReceiptBundle;
  let company0: ReceiptBundle;
  let forged: ReceiptBundle;
  let otherSealReceipt: ReceiptBundle;

  before(async () => {
    const fx = await deployAnchor();
    chain = createChainReader(ethers.provider);
    const keys = generateSm2KeyPair();
    const intruder = generateSm2KeyPair();
    const batch0 = await anchorRecords(fx, 0, [
      record(0, "company.registered", company, { creditCodeHash: "ab".repeat(32) }),
      record(1, "seal.registered", seal, { kind: "electronic", sealType: "contract", publicKey: keys.publicKey }),
      record(2, "seal.registered", "s_other", { kind: "electronic", sealType: "official", publicKey: intruder.publicKey }),
    ]);
    [company0, sealReceipt, otherSealReceipt] = batch0;
    const batch1 = await anchorRecords(fx, 1, [usageRecord(3, keys.privateKey), record(4, "seal.suspended", seal, {}), usageRecord(5, intruder.privateKey)]);
    usage = batch1[0];
    forged = batch1[2];
  });

  async function codeOf(bundle: unknown, sealBundle: unknown = sealReceipt): Promise<VerifyCode | null> {
    return (await verifyReceipt(bundle, chain, { sealReceipt: sealBundle })).code;
  }

  it("passes every step for genuine receipts, including the usage signature", async () => {
    const report = await verifyReceipt(usage, chain, { sealReceipt });
    expect(report.steps.map((s) => [s.step, s.ok])).to.deep.equal([
      ["format", true], ["leaf", true], ["position", true], ["chain", true], ["proof", true], ["anchor", true], ["signature", true],
    ]);
    expect(report.ok).to.equal(true);
    expect(report.onChain?.root).to.equal(usage.batch.root);
    expect((await verifyReceipt(company0, chain)).ok).to.equal(true);
  });

  it("a changed record byte fails with LEAF_MISMATCH", async () => {
    const bundle = clone(usage);
    bundle.record.data.documentHash = `0${(bundle.record.data.documentHash as string).slice(1)}`;
    expect(await codeOf(bundle)).to.equal("LEAF_MISMATCH");
  });

  it("a changed path element fails with PROOF_INVALID", async () => {
    const bundle = clone(usage);
    bundle.proof.path[0] = `${bundle.proof.path[0].slice(0, -1)}${bundle.proof.path[0].endsWith("0") ? "1" : "0"}`;
    expect(await codeOf(bundle)).to.equal("PROOF_INVALID");
  });

  it("a changed root fails with ROOT_MISMATCH", async () => {
    const bundle = clone(usage);
    bundle.batch.root = "00".repeat(32);
    expect(await codeOf(bundle)).to.equal("ROOT_MISMATCH");
  });

  it("a wrong batch id fails with BATCH_RANGE_MISMATCH, or BATCH_NOT_ON_CHAIN when no such batch exists", async () => {
    const other = clone(usage);
    other.batch.id = 0;
    expect(await codeOf(other)).to.equal("BATCH_RANGE_MISMATCH");
    const missing = clone(usage);
    missing.batch.id = 7;
    expect(await codeOf(missing)).to.equal("BATCH_NOT_ON_CHAIN");
  });

  it("a leaf index that disagrees with the record's seq fails with POSITION_MISMATCH", async () => {
    const bundle = clone(usage);
    bundle.proof.leafIndex = 1;
    expect(await codeOf(bundle)).to.equal("POSITION_MISMATCH");
  });

  it("an unknown anchoring transaction fails with ANCHOR_TX_NOT_FOUND, another batch's with ANCHOR_TX_MISMATCH", async () => {
    const unknown = clone(usage);
    unknown.anchor.txHash = `0x${"ab".repeat(32)}`;
    expect(await codeOf(unknown)).to.equal("ANCHOR_TX_NOT_FOUND");
    const mixed = clone(usage);
    mixed.anchor = clone(company0.anchor);
    expect(await codeOf(mixed)).to.equal("ANCHOR_TX_MISMATCH");
  });

  it("an anchored usage signed by another key fails with SIGNATURE_INVALID", async () => {
    expect(await codeOf(forged)).to.equal("SIGNATURE_INVALID");
  });

  it("a usage without the seal's receipt, or with another seal's, fails on the signature step", async () => {
    expect((await verifyReceipt(usage, chain)).code).to.equal("SEAL_RECEIPT_MISSING");
    expect(await codeOf(usage, otherSealReceipt)).to.equal("SEAL_RECEIPT_INVALID");
    const tampered = clone(sealReceipt);
    tampered.record.data.publicKey = generateSm2KeyPair().publicKey;
    expect(await codeOf(usage, tampered)).to.equal("SEAL_RECEIPT_INVALID");
  });

  it("a malformed bundle fails with FORMAT_INVALID", async () => {
    for (const bad of [null, "x", { ...usage, format: "sealproof-receipt/0" }, { ...usage, proof: { ...usage.proof, path: ["zz"] } }]) {
      expect(await codeOf(bad)).to.equal("FORMAT_INVALID");
    }
  });

  it("a node of another chain fails with CHAIN_MISMATCH, an unreachable one with CHAIN_UNREACHABLE", async () => {
    const elsewhere = clone(usage);
    elsewhere.anchor.chainId = 1;
    expect(await codeOf(elsewhere)).to.equal("CHAIN_MISMATCH");
    const down: ChainReader = { ...chain, chainId: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) };
    expect((await verifyReceipt(usage, down, { sealReceipt })).code).to.equal("CHAIN_UNREACHABLE");
  });
});
