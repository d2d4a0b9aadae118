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
  type Deployment,
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

function usageRecord(seq: number, privateKey: string, extra: Partial<UsageTbs> = {}): EvidenceRecord {
  const tbs: UsageTbs = {
    v: 1,
    receipt: `R${seq}x8Kq2mZpW4tYbN3`,
    seal,
    signer,
    signedAt: "2026-11-22T08:00:00.000Z",
    documentHash: toHex(sm3(Buffer.from(`contract ${seq}`))),
    scenario: "sc_contract",
    request: null,
    ...extra,
  };
  const signature = sm2Sign(usageTbsBytes(tbs), privateKey);
  const { v: _v, seal: _s, signer: _m, ...data } = tbs;
  return record(seq, "seal.used", seal, { ...data, signature });
}

/** Anchors `records` as the next batch of `fx`'s contract and returns one receipt per record. */
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
  let deployment: Deployment;
  let sealReceipt: ReceiptBundle;
  let usage: ReceiptBundle;
  let company0: ReceiptBundle;
  let forged: ReceiptBundle;
  let otherSealReceipt: ReceiptBundle;
  let otherCompanySealReceipt: ReceiptBundle;
  let otherCompany: ReceiptBundle;
  let stampedCopy: ReceiptBundle;
  let unsignedSource: ReceiptBundle;
  let keys: { privateKey: string; publicKey: string };

  before(async () => {
    const fx = await deployAnchor();
    const chainId = Number((await ethers.provider.getNetwork()).chainId);
    deployment = { chainId, contract: fx.address.toLowerCase() };
    chain = createChainReader(ethers.provider, fx.address);
    keys = generateSm2KeyPair();
    const intruder = generateSm2KeyPair();
    const batch0 = await anchorRecords(fx, 0, [
      record(0, "company.registered", company, { name: "示例贸易有限公司", creditCode: "91350100M000100Y43" }),
      record(1, "seal.registered", seal, { name: "合同专用章", kind: "electronic", sealType: "contract", publicKey: keys.publicKey }),
      record(2, "seal.registered", "s_other", { kind: "electronic", sealType: "official", publicKey: intruder.publicKey }),
      { ...record(3, "seal.registered", seal, { kind: "electronic", sealType: "contract", publicKey: intruder.publicKey }), company: "c_Other1" },
      { ...record(4, "company.registered", "c_Other1", { name: "Other Co.", creditCode: "91110000100000000X" }), company: "c_Other1" },
    ]);
    [company0, sealReceipt, otherSealReceipt, otherCompanySealReceipt, otherCompany] = batch0;
    const source = toHex(sm3(Buffer.from("the approved original")));
    const unsigned = usageRecord(9, keys.privateKey);
    unsigned.data.sourceDocumentHash = source;
    const batch1 = await anchorRecords(fx, 1, [
      usageRecord(5, keys.privateKey),
      record(6, "seal.suspended", seal, {}),
      usageRecord(7, intruder.privateKey),
      usageRecord(8, keys.privateKey, { sourceDocumentHash: source }),
      unsigned,
    ]);
    usage = batch1[0];
    forged = batch1[2];
    stampedCopy = batch1[3];
    unsignedSource = batch1[4];
  });

  async function codeOf(bundle: unknown, sealBundle: unknown = sealReceipt): Promise<VerifyCode | null> {
    return (await verifyReceipt(bundle, chain, { deployment, sealReceipt: sealBundle })).code;
  }

  it("passes every step for genuine receipts, including the usage signature and the company's registration", async () => {
    const report = await verifyReceipt(usage, chain, { deployment, receiptId: usage.record.data.receipt as string, sealReceipt, companyReceipt: company0 });
    expect(report.steps.map((s) => [s.step, s.ok])).to.deep.equal([
      ["format", true], ["deployment", true], ["receipt", true], ["leaf", true], ["position", true], ["chain", true], ["proof", true], ["anchor", true], ["signature", true], ["company", true],
    ]);
    expect(report.ok).to.equal(true);
    expect(report.onChain?.root).to.equal(usage.batch.root);
    expect(report.facts).to.deep.equal({
      company: { id: company, name: "示例贸易有限公司", creditCode: "91350100M000100Y43" },
      seal: { id: seal, name: "合同专用章", kind: "electronic", sealType: "contract" },
    });
    expect((await verifyReceipt(company0, chain, { deployment })).ok).to.equal(true);
  });

  describe("a shadow SealAnchor on the same chain", () => {
    let shadow: Deployment;
    let shadowChain: ChainReader;
    let shadowUsage: ReceiptBundle;
    let shadowSeal: ReceiptBundle;
    let shadowCompany: ReceiptBundle;

    before(async () => {
      // The attacker deploys the same contract, registers a real company's real seal id with their own key
      // and anchors a usage signed with it: every receipt is internally perfect.
      const fx = await deployAnchor();
      shadow = { chainId: deployment.chainId, contract: fx.address.toLowerCase() };
      shadowChain = createChainReader(ethers.provider, fx.address);
      const attacker = generateSm2KeyPair();
      const receipts = await anchorRecords(fx, 0, [
        record(0, "company.registered", company, { name: "示例贸易有限公司", creditCode: "91350100M000100Y43" }),
        record(1, "seal.registered", seal, { name: "合同专用章", kind: "electronic", sealType: "contract", publicKey: attacker.publicKey }),
        usageRecord(2, attacker.privateKey),
      ]);
      [shadowCompany, shadowSeal, shadowUsage] = receipts;
    });

    it("verifies only for a verifier that took the deployment from the receipt itself", async () => {
      const report = await verifyReceipt(shadowUsage, shadowChain, { deployment: shadow, sealReceipt: shadowSeal, companyReceipt: shadowCompany });
      expect(report.code).to.equal(null);
    });

    it("fails DEPLOYMENT_NOT_TRUSTED against the pinned deployment", async () => {
      const report = await verifyReceipt(shadowUsage, chain, { deployment, sealReceipt: shadowSeal, companyReceipt: shadowCompany });
      expect(report.ok).to.equal(false);
      expect(report.code).to.equal("DEPLOYMENT_NOT_TRUSTED");
      expect(report.facts).to.deep.equal({ company: null, seal: null });
    });

    it("a genuine usage with the shadow seal or company receipt beside it fails DEPLOYMENT_NOT_TRUSTED", async () => {
      expect(await codeOf(usage, shadowSeal)).to.equal("DEPLOYMENT_NOT_TRUSTED");
      const report = await verifyReceipt(usage, chain, { deployment, sealReceipt, companyReceipt: shadowCompany });
      expect(report.code).to.equal("DEPLOYMENT_NOT_TRUSTED");
      expect(report.steps.find((s) => s.step === "company")?.code).to.equal("DEPLOYMENT_NOT_TRUSTED");
    });

    it("relabelled as the pinned contract, the batch is read from the pinned contract's storage and does not match", async () => {
      const relabelled = clone(shadowUsage);
      relabelled.anchor.contract = deployment.contract;
      const sealRelabelled = clone(shadowSeal);
      sealRelabelled.anchor.contract = deployment.contract;
      const report = await verifyReceipt(relabelled, chain, { deployment, sealReceipt: sealRelabelled });
      expect(report.ok).to.equal(false);
      expect(report.steps.find((s) => s.step === "deployment")?.ok).to.equal(true);
      expect(["ROOT_MISMATCH", "BATCH_RANGE_MISMATCH"]).to.include(report.code);
      expect(report.steps.find((s) => s.step === "anchor")?.code).to.equal("ANCHOR_TX_MISMATCH");
    });
  });

  it("a genuine receipt for another receipt id fails RECEIPT_ID_MISMATCH", async () => {
    const report = await verifyReceipt(usage, chain, { deployment, receiptId: stampedCopy.record.data.receipt as string, sealReceipt });
    expect(report.code).to.equal("RECEIPT_ID_MISMATCH");
  });

  it("a seal receipt of the same seal id in another company fails SEAL_RECEIPT_INVALID", async () => {
    expect(await codeOf(usage, otherCompanySealReceipt)).to.equal("SEAL_RECEIPT_INVALID");
  });

  it("another company's registration beside the usage fails COMPANY_RECEIPT_INVALID", async () => {
    expect((await verifyReceipt(usage, chain, { deployment, sealReceipt, companyReceipt: otherCompany })).code).to.equal("COMPANY_RECEIPT_INVALID");
    expect((await verifyReceipt(usage, chain, { deployment, sealReceipt, companyReceipt: null })).code).to.equal("COMPANY_RECEIPT_INVALID");
  });

  it("a stamped copy's source document is signed: signed it verifies, added unsigned it fails SIGNATURE_INVALID", async () => {
    expect(await codeOf(stampedCopy)).to.equal(null);
    expect(await codeOf(unsignedSource)).to.equal("SIGNATURE_INVALID");
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
    expect((await verifyReceipt(usage, chain, { deployment })).code).to.equal("SEAL_RECEIPT_MISSING");
    expect(await codeOf(usage, null)).to.equal("SEAL_RECEIPT_MISSING");
    expect(await codeOf(usage, otherSealReceipt)).to.equal("SEAL_RECEIPT_INVALID");
    expect(await codeOf(usage, "not a receipt")).to.equal("SEAL_RECEIPT_INVALID");
    const tampered = clone(sealReceipt);
    tampered.record.data.publicKey = generateSm2KeyPair().publicKey;
    expect(await codeOf(usage, tampered)).to.equal("SEAL_RECEIPT_INVALID");
  });

  it("a malformed bundle fails with FORMAT_INVALID", async () => {
    for (const bad of [null, "x", { ...usage, format: "sealproof-receipt/0" }, { ...usage, proof: { ...usage.proof, path: ["zz"] } }]) {
      expect(await codeOf(bad)).to.equal("FORMAT_INVALID");
    }
  });

  it("a receipt naming another chain fails DEPLOYMENT_NOT_TRUSTED; a node of another chain CHAIN_MISMATCH, an unreachable one CHAIN_UNREACHABLE", async () => {
    const elsewhere = clone(usage);
    elsewhere.anchor.chainId = 1;
    expect(await codeOf(elsewhere)).to.equal("DEPLOYMENT_NOT_TRUSTED");
    const otherNode: ChainReader = { ...chain, chainId: async () => 1 };
    expect((await verifyReceipt(usage, otherNode, { deployment, sealReceipt })).code).to.equal("CHAIN_MISMATCH");
    const down: ChainReader = { ...chain, chainId: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) };
    expect((await verifyReceipt(usage, down, { deployment, sealReceipt })).code).to.equal("CHAIN_UNREACHABLE");
  });
});
