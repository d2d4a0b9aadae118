// The format puts a bundle's registration receipts after its receipts, just before the end line, and the verifier
// reads them from there: a registration anywhere else is a finding, and is not used. A synthetic log of one batch
// with a chain that holds it as anchored; any receipt of it serves as a registration.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { assembleReceipt, buildTree, canonicalBytes, canonicalJson, GENESIS_PREV, receiptProof, recordLeafHash, rootOf, sm3, toHex, type ChainReader, type EvidenceRecord } from "../../service/evidence";
import { AUDIT_FORMAT, headerLine, line } from "../../service/audit/bundle";
import { verifyAuditBundle, type AuditVerifyReport } from "../../service/audit/verify-bundle";

const DEPLOYMENT = { chainId: 31337, contract: `0x${"cd".repeat(20)}` };
const COMPANY = "c_placedRegs01";
const TX_HASH = `0x${"01".repeat(32)}`;

function syntheticLog(size: number): { lines: string[]; chain: ChainReader } {
  const records: EvidenceRecord[] = [];
  let prev = GENESIS_PREV;
  for (let seq = 0; seq < size; seq++) {
    const record: EvidenceRecord = { v: 2, seq, at: "2026-01-01T00:00:00.000Z", company: COMPANY, subject: `rq_placed${seq}`, actor: "m_placedRegs1", cseq: seq, prev, type: "document.linked", data: { receipt: "7Jq3v9PzX2mKc4TnR8wYbD", role: "scan", hash: "ab".repeat(32) } };
    prev = toHex(recordLeafHash(record));
    records.push(JSON.parse(canonicalJson(record)) as EvidenceRecord);
  }
  const tree = buildTree(sm3, records.map((r) => canonicalBytes(r)));
  const batch = { id: 0, root: toHex(rootOf(tree)), firstSeq: 0, count: size };
  const lines = records.map((r, i) => line(assembleReceipt(r, receiptProof(tree, i), batch, { ...DEPLOYMENT, txHash: TX_HASH, blockNumber: 10 })).trimEnd());
  const chain: ChainReader = {
    chainId: async () => DEPLOYMENT.chainId,
    readBatch: async (id) => (id === 0 ? { root: batch.root, firstSeq: 0, count: size, anchoredAt: 0, blockNumber: 10 } : null),
    readTransaction: async (hash) => (hash === TX_HASH ? { blockNumber: 10, to: DEPLOYMENT.contract, succeeded: true } : null),
  };
  return { lines, chain };
}

describe("audit: where registrations stand in a bundle", () => {
  let dir: string;
  const { lines, chain } = syntheticLog(12);
  const registration = (i: number) => JSON.stringify({ registration: JSON.parse(lines[i]) as unknown });
  const header = headerLine({ format: AUDIT_FORMAT, company: COMPANY, range: { by: "cseq", from: null, to: null }, chainId: DEPLOYMENT.chainId, contract: DEPLOYMENT.contract, exportedAt: "2026-01-02T00:00:00.000Z" }).trimEnd();
  const end = (registrations: number) => line({ end: { receipts: lines.length, pending: 0, registrations } }).trimEnd();
  const verify = async (bundleLines: string[], name: string): Promise<AuditVerifyReport> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bundleLines.map((l) => `${l}\n`).join(""));
    return verifyAuditBundle(file, { deployment: DEPLOYMENT, chain, pool: null });
  };
  const findings = (report: AuditVerifyReport) => report.findings.map((f) => [f.code, f.check, f.message.match(/^line \d+/)?.[0] ?? null]);

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-registrations-placed-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("uses the registrations just before the end line", async () => {
    const report = await verify([header, ...lines, registration(0), registration(3), end(2)], "in-place.jsonl");
    expect(findings(report)).to.deep.equal([]);
    expect(report.verdict).to.equal("verified");
    expect(report.registrations).to.equal(2);
  });

  it("finds a registration among the receipts: REGISTRATION_MISPLACED at its line, and leaves it unused", async () => {
    const bundle = [header, ...lines.slice(0, 5), registration(3), ...lines.slice(5), registration(0), end(2)];
    const report = await verify(bundle, "among-receipts.jsonl");
    expect(findings(report)).to.deep.equal([["REGISTRATION_MISPLACED", "bundle", "line 7"]]);
    expect(report.verdict).to.equal("failed");
    expect(report.registrations).to.equal(1);
  });

  it("finds a registration in another layout, which ends the closing run there: it and those before it are misplaced", async () => {
    const spaced = ` ${registration(3)}`;
    const report = await verify([header, ...lines, registration(0), spaced, registration(1), end(3)], "spaced.jsonl");
    expect(findings(report)).to.deep.equal([
      ["REGISTRATION_MISPLACED", "bundle", "line 14"],
      ["REGISTRATION_MISPLACED", "bundle", "line 15"],
    ]);
    expect(report.registrations).to.equal(1);
  });

  it("still reads the registrations of a bundle cut short after them, and finds it truncated", async () => {
    const report = await verify([header, ...lines, registration(0), registration(3)], "truncated.jsonl");
    expect(findings(report)).to.deep.equal([["BUNDLE_TRUNCATED", "bundle", null]]);
    expect(report.registrations).to.equal(2);
  });
});
