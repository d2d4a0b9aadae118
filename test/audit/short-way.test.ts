// Receipts judged the short way (in their bytes, against the receipt before them in the batch) must be judged as
// verifyReceipt judges them. A synthetic log of two companies interleaved in batches of uneven sizes, with a chain
// that holds its batches as anchored: a clean bundle verifies with all but each batch's first receipt taken the short
// way, and each change to a line in the middle of a batch is its own finding, as it is for the batch's first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  assembleReceipt,
  buildTree,
  canonicalBytes,
  canonicalJson,
  GENESIS_PREV,
  parseReceipt,
  receiptProof,
  recordLeafHash,
  rootOf,
  sm3,
  toHex,
  type ChainReader,
  type EvidenceRecord,
  type OnChainBatch,
  type ReceiptBundle,
} from "../../service/evidence";
import { AUDIT_FORMAT, headerLine, line } from "../../service/audit/bundle";
import { BatchReceipts } from "../../service/audit/batch-receipts";
import { verifyAuditBundle, type AuditVerifyReport } from "../../service/audit/verify-bundle";

const DEPLOYMENT = { chainId: 31337, contract: `0x${"ab".repeat(20)}` };
const COMPANY = "c_shortWayA";
const OTHER = "c_shortWayB";
/** Uneven batch sizes: right edges promoted at several levels. */
const BATCH_SIZES = [37, 64, 5, 1, 100];

interface Log {
  receipts: ReceiptBundle[];
  chain: Map<number, OnChainBatch>;
}

function syntheticLog(): Log {
  const records: EvidenceRecord[] = [];
  const heads = new Map<string, { cseq: number; prev: string }>();
  const total = BATCH_SIZES.reduce((a, b) => a + b, 0);
  for (let seq = 0; seq < total; seq++) {
    // Two of three records are the company's, so its leaves are dense in places and sparse in others.
    const company = seq % 3 === 2 ? OTHER : COMPANY;
    const head = heads.get(company) ?? { cseq: 0, prev: GENESIS_PREV };
    const base = { seq, at: `2026-01-01T00:00:${String(seq % 60).padStart(2, "0")}.000Z`, company, subject: `rq_short${seq}`, actor: "m_shortWay01", cseq: head.cseq, prev: head.prev };
    const record: EvidenceRecord =
      seq % 2 === 0
        ? { v: 2, ...base, type: "request.created", data: { seal: "s_shortWay01", scenario: "sc_shortWay01", documentHash: toHex(sm3(Uint8Array.of(seq & 255, seq >> 8))), copies: seq } }
        : { v: 2, ...base, type: "document.linked", data: { receipt: "7Jq3v9PzX2mKc4TnR8wYbD", role: "scan", hash: toHex(sm3(Uint8Array.of(seq & 255, seq >> 8, 1))) } };
    heads.set(company, { cseq: head.cseq + 1, prev: toHex(recordLeafHash(record)) });
    // As the store gives records back: parsed from their canonical text.
    records.push(JSON.parse(canonicalJson(record)) as EvidenceRecord);
  }
  const receipts: ReceiptBundle[] = [];
  const chain = new Map<number, OnChainBatch>();
  let firstSeq = 0;
  BATCH_SIZES.forEach((count, id) => {
    const batchRecords = records.slice(firstSeq, firstSeq + count);
    const tree = buildTree(sm3, batchRecords.map((r) => canonicalBytes(r)));
    const root = toHex(rootOf(tree));
    chain.set(id, { root, firstSeq, count, anchoredAt: 0, blockNumber: 10 + id });
    batchRecords.forEach((record, i) => {
      receipts.push(assembleReceipt(record, receiptProof(tree, i), { id, root, firstSeq, count }, { chainId: DEPLOYMENT.chainId, contract: DEPLOYMENT.contract, txHash: txHash(id), blockNumber: 10 + id }));
    });
    firstSeq += count;
  });
  return { receipts, chain };
}

const txHash = (id: number): string => `0x${id.toString(16).padStart(64, "0")}`;

function chainOf(batches: Map<number, OnChainBatch>): ChainReader {
  return {
    chainId: async () => DEPLOYMENT.chainId,
    readBatch: async (id) => batches.get(id) ?? null,
    readTransaction: async (hash) => {
      const id = Number.parseInt(hash.slice(2), 16);
      return batches.has(id) ? { blockNumber: 10 + id, to: DEPLOYMENT.contract, succeeded: true } : null;
    },
  };
}

describe("audit: receipts judged the short way", () => {
  let dir: string;
  let log: Log;
  /** The company's receipt lines, in cseq order. */
  let lines: string[];

  const ofCompany = (r: ReceiptBundle) => r.record.company === COMPANY;
  const bundleText = (receiptLines: string[], count = receiptLines.length) =>
    headerLine({ format: AUDIT_FORMAT, company: COMPANY, range: { by: "cseq", from: null, to: null }, chainId: DEPLOYMENT.chainId, contract: DEPLOYMENT.contract, exportedAt: "2026-01-02T00:00:00.000Z" }) +
    receiptLines.map((l) => `${l}\n`).join("") +
    line({ end: { receipts: count, pending: 0, registrations: 0 } });
  const verify = async (receiptLines: string[], name: string, chain = log.chain, count?: number): Promise<AuditVerifyReport> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bundleText(receiptLines, count));
    return verifyAuditBundle(file, { deployment: DEPLOYMENT, chain: chainOf(chain), pool: null });
  };
  const findings = (report: AuditVerifyReport) => report.findings.map((f) => [f.code, f.cseq, f.check]);
  /** A line in the middle of the company's receipts of batch `id`: the short way judges it. */
  const middleOf = (id: number): number => {
    const inBatch = lines.map((l, i) => [JSON.parse(l).batch.id as number, i]).filter(([b]) => b === id);
    return inBatch[Math.floor(inBatch.length / 2)][1];
  };
  const cseqAt = (i: number): number => JSON.parse(lines[i]).record.cseq;
  const changed = (i: number, change: (receipt: { record: Record<string, unknown>; proof: { leafIndex: number; leaf: string; path: string[] }; batch: { root: string } }) => void): string[] => {
    const receipt = JSON.parse(lines[i]);
    change(receipt);
    return lines.map((l, k) => (k === i ? JSON.stringify(receipt) : l));
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-short-way-"));
    log = syntheticLog();
    lines = log.receipts.filter(ofCompany).map((r) => line(r).trimEnd());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("verifies a clean bundle, judging all but each batch's first receipt the short way", async () => {
    const report = await verify(lines, "clean.jsonl");
    expect(report.findings).to.deep.equal([]);
    expect(report.verdict).to.equal("verified");
    expect(report.receipts).to.equal(lines.length);
    expect(report.batches).to.equal(BATCH_SIZES.length);
    const receipts = new BatchReceipts(chainOf(log.chain), DEPLOYMENT, () => expect.fail("no step fails"));
    let short = 0;
    for (const text of lines) {
      if (receipts.judgeLine(Buffer.from(text), COMPANY) !== null) short++;
      else {
        const parsed = parseReceipt(JSON.parse(text));
        if (!parsed.ok) throw new Error(parsed.reason);
        await receipts.judge(JSON.parse(text), parsed.bundle, { cseq: null, receipt: null });
      }
    }
    await receipts.settled();
    expect(short).to.equal(lines.length - BATCH_SIZES.length);
  });

  it("finds a changed record byte: LEAF_MISMATCH at its cseq", async () => {
    const i = middleOf(0);
    const report = await verify(
      changed(i, (r) => (r.record.subject = `${r.record.subject as string}x`)),
      "record.jsonl",
    );
    expect(findings(report)).to.deep.include(["LEAF_MISMATCH", cseqAt(i), "leaf"]);
    expect(report.verdict).to.equal("failed");
  });

  it("finds a changed proof leaf: LEAF_MISMATCH", async () => {
    const i = middleOf(1);
    const report = await verify(
      changed(i, (r) => (r.proof.leaf = r.proof.leaf.replace(/^./, (c) => (c === "0" ? "1" : "0")))),
      "leaf.jsonl",
    );
    expect(findings(report)).to.deep.equal([["LEAF_MISMATCH", cseqAt(i), "leaf"]]);
  });

  it("finds a changed, a swapped, a missing and an extra path entry: PROOF_INVALID each", async () => {
    const i = middleOf(4);
    const cases: [string, (p: string[]) => string[]][] = [
      ["digit", (p) => p.map((e, k) => (k === 2 ? `${e.slice(0, 40)}${e[40] === "a" ? "b" : "a"}${e.slice(41)}` : e))],
      ["swapped", (p) => [p[1], p[0], ...p.slice(2)]],
      ["missing", (p) => p.slice(0, -1)],
      ["extra", (p) => [...p, p[0]]],
    ];
    for (const [name, change] of cases) {
      const report = await verify(
        changed(i, (r) => (r.proof.path = change(r.proof.path))),
        `path-${name}.jsonl`,
      );
      expect(findings(report), name).to.deep.equal([["PROOF_INVALID", cseqAt(i), "proof"]]);
    }
  });

  it("finds a path entry in uppercase and a leaf index moved: FORMAT_INVALID and POSITION_MISMATCH", async () => {
    const i = middleOf(4);
    const upper = await verify(
      changed(i, (r) => (r.proof.path = r.proof.path.map((e) => e.toUpperCase()))),
      "upper.jsonl",
    );
    // The line cannot be read as a receipt, so its record is missing from the company's chain too.
    expect(upper.findings.map((f) => [f.code, f.cseq])).to.deep.equal([
      ["FORMAT_INVALID", null],
      ["CSEQ_GAP", cseqAt(i)],
    ]);
    const moved = await verify(
      changed(i, (r) => (r.proof.leafIndex += 1)),
      "moved.jsonl",
    );
    expect(findings(moved)).to.deep.equal([["POSITION_MISMATCH", cseqAt(i), "position"]]);
  });

  it("finds a batch root changed in a line: ROOT_MISMATCH for that receipt alone", async () => {
    const i = middleOf(1);
    const report = await verify(
      changed(i, (r) => (r.batch.root = "ab".repeat(32))),
      "root.jsonl",
    );
    expect(findings(report)).to.deep.equal([["ROOT_MISMATCH", cseqAt(i), "chain"]]);
  });

  it("finds every receipt of a batch whose root on chain differs, those judged the short way included", async () => {
    const chain = new Map(log.chain);
    chain.set(4, { ...(log.chain.get(4) as OnChainBatch), root: "cd".repeat(32) });
    const report = await verify(lines, "chain-root.jsonl", chain);
    const inBatch = lines.filter((l) => JSON.parse(l).batch.id === 4).map((l) => JSON.parse(l).record.cseq);
    expect(findings(report)).to.deep.equal(inBatch.map((cseq) => ["ROOT_MISMATCH", cseq, "chain"]));
  });

  it("finds a receipt repeated, and two receipts swapped, in a batch's middle", async () => {
    const i = middleOf(4);
    const repeated = await verify([...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)], "repeated.jsonl");
    expect(findings(repeated)).to.deep.equal([["CSEQ_REPEATED", cseqAt(i), "company-chain"]]);
    const swapped = [...lines];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    expect(findings(await verify(swapped, "swapped.jsonl"))).to.deep.equal([["CSEQ_OUT_OF_ORDER", cseqAt(i), "company-chain"]]);
  });

  it("finds another company's receipt of the same batch slipped in: OTHER_COMPANY", async () => {
    const i = middleOf(4);
    const theirs = log.receipts.find((r) => !ofCompany(r) && r.batch.id === 4 && r.record.seq > JSON.parse(lines[i]).record.seq) as ReceiptBundle;
    const report = await verify([...lines.slice(0, i + 1), line(theirs).trimEnd(), ...lines.slice(i + 1)], "other.jsonl", log.chain, lines.length);
    expect(report.findings.map((f) => f.code)).to.deep.equal(["COUNT_MISMATCH", "OTHER_COMPANY"]);
  });

  it("still verifies a receipt written in another layout: keys reordered, spaces, a number as 1.0", async () => {
    const i = middleOf(4);
    const receipt = JSON.parse(lines[i]);
    const reordered = JSON.stringify({ hash: receipt.hash, anchor: receipt.anchor, batch: receipt.batch, proof: receipt.proof, record: { data: receipt.record.data, ...receipt.record }, format: receipt.format });
    const spaced = JSON.stringify(JSON.parse(lines[i + 1]), null, 1).replace(/\n/g, "");
    const withCopies = lines.findIndex((l, k) => k > i && JSON.parse(l).record.type === "request.created");
    const fraction = lines[withCopies].replace(/"copies":(\d+)/, '"copies":$1.0');
    expect(fraction).to.not.equal(lines[withCopies]);
    const report = await verify(
      lines.map((l, k) => (k === i ? reordered : k === i + 1 ? spaced : k === withCopies ? fraction : l)),
      "layouts.jsonl",
    );
    expect(report.findings).to.deep.equal([]);
    expect(report.verdict).to.equal("verified");
  });
});
