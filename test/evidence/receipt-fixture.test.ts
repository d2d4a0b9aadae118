// A genuine sealproof-receipt/1 bundle pinned byte for byte (test/fixtures/receipt-v1.json: a usage, its seal's
// and its company's registration): parsing and re-serializing changes no byte, and on a fresh chain where the same
// anchor transaction is replayed it verifies step by step, so a format change cannot slip in unnoticed.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { parseReceipt, verifyReceipt, type ReceiptBundle } from "../../service/evidence";
import { createChainReader } from "../../service/chain/reader";
import { createAnchorClient } from "../../service/chain/anchor-client";

const FIXTURE = path.join(__dirname, "..", "fixtures", "receipt-v1.json");

describe("evidence: the pinned v1 receipt fixture", () => {
  const text = fs.readFileSync(FIXTURE, "utf8");
  const fixture = JSON.parse(text) as { receipt: ReceiptBundle; sealReceipt: ReceiptBundle; companyReceipt: ReceiptBundle };

  it("parses into a value that serializes to the same bytes", () => {
    const parsed = Object.fromEntries(Object.entries(fixture).map(([role, bundle]) => {
      const result = parseReceipt(bundle);
      if (!result.ok) throw new Error(`${role}: ${result.reason}`);
      return [role, result.bundle];
    }));
    expect(`${JSON.stringify(parsed, null, 2)}\n`).to.equal(text);
  });

  it("refuses a record with a field its version does not define, or data its type does not allow", () => {
    const extra = structuredClone(fixture.receipt) as unknown as { record: Record<string, unknown> };
    extra.record.cseq = 0;
    expect(parseReceipt(extra)).to.deep.include({ ok: false, reason: "record has fields its version does not define" });
    const badData = structuredClone(fixture.receipt);
    badData.record.data.documentHash = "not hex";
    expect(parseReceipt(badData).ok).to.equal(false);
  });

  it("parses a v2 record only with its company chain fields, cseq a non-negative integer and prev a lowercase 32-byte hash", () => {
    const v2 = (change: (record: Record<string, unknown>) => void): ReturnType<typeof parseReceipt> => {
      const bundle = structuredClone(fixture.receipt) as unknown as { record: Record<string, unknown> };
      Object.assign(bundle.record, { v: 2, cseq: 3, prev: "ab".repeat(32) });
      change(bundle.record);
      return parseReceipt(bundle);
    };
    const parsed = v2(() => {});
    expect(parsed.ok && parsed.bundle.record).to.deep.include({ v: 2, cseq: 3, prev: "ab".repeat(32) });
    expect(v2((r) => delete r.prev)).to.deep.include({ ok: false, reason: "record prev is not a 32-byte lowercase hex hash" });
    expect(v2((r) => (r.prev = "AB".repeat(32)))).to.deep.include({ ok: false, reason: "record prev is not a 32-byte lowercase hex hash" });
    expect(v2((r) => (r.cseq = -1))).to.deep.include({ ok: false, reason: "record cseq is not a non-negative integer" });
    expect(v2((r) => (r.cseq = null))).to.deep.include({ ok: false, reason: "record cseq is not a non-negative integer" });
    expect(v2((r) => (r.v = 3))).to.deep.include({ ok: false, reason: "record is malformed" });
  });

  it("verifies every step on a fresh chain where its anchor transaction is replayed", async () => {
    await network.provider.send("hardhat_reset", []);
    const [admin, anchorer] = await ethers.getSigners();
    const anchor = await ethers.deployContract("SealAnchor", [admin.address, anchorer.address], admin);
    const address = await anchor.getAddress();
    const { batch } = fixture.receipt;
    const client = await createAnchorClient(ethers.provider, anchorer, address);
    const mined = await client.confirm(await client.send({ id: batch.id, root: batch.root, firstSeq: batch.firstSeq, count: batch.count }), 1, 10_000);
    expect([address, mined.txHash]).to.deep.equal([fixture.receipt.anchor.contract, fixture.receipt.anchor.txHash]);
    const deployment = { chainId: fixture.receipt.anchor.chainId, contract: address.toLowerCase() };
    const report = await verifyReceipt(fixture.receipt, createChainReader(ethers.provider, address), { deployment, receiptId: "8uQ2nWcZr5Kp3TgHx7MvYa", sealReceipt: fixture.sealReceipt, companyReceipt: fixture.companyReceipt });
    expect(report.steps.filter((s) => !s.ok)).to.deep.equal([]);
    expect(report.facts.company?.name).to.equal("示例贸易有限公司");
  });
});
