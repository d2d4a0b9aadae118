// The audit bundle on a real SQLite store and a real chain node: a clean export verifies; each tampering — with the
// store (a record changed or deleted, a batch root changed, a usage logged with a forged signature) or with the bundle
// (records swapped, a record inserted, another company's record slipped in, the bundle cut short) — is its own finding.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { sealproof as run } from "../helpers/cli";
import { formatDeployment, type EvidenceRecord } from "../../service/evidence";
import { createChainReader } from "../../service/chain/reader";
import { createSm2Pool, type Sm2Pool } from "../../service/workers/sm2-pool";
import { openStore, SQLITE_FILE_NAME } from "../../service/store/open";
import { auditBundleLines } from "../../service/audit/export";
import { verifyAuditBundle, type AuditVerifyReport } from "../../service/audit/verify-bundle";

describe("audit: bundle export and verification", function () {
  this.timeout(180_000);
  let env: AnchoredService;
  let a: TestCompany;
  let b: TestCompany;
  let dir: string;
  let provider: JsonRpcProvider;
  let pool: Sm2Pool;
  let clean: string[];

  const bundle = async (co: TestCompany, who = co.auditor, query = "") => {
    const res = await fetch(`${env.svc.url}/api/v1/audit/bundle${query}`, { headers: { authorization: `Bearer ${who.token}` } });
    return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
  };
  const verify = async (lines: string[], name: string, options: { signatures?: boolean } = {}): Promise<AuditVerifyReport> => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
    return verifyAuditBundle(file, { deployment: env.deployment, chain: createChainReader(provider, env.deployment.contract), pool: options.signatures === false ? null : pool });
  };
  const codes = (report: AuditVerifyReport) => report.findings.map((f) => f.code);
  const recordOf = (line: string): EvidenceRecord => (JSON.parse(line) as { record: EvidenceRecord }).record;
  /** Indexes of the bundle's record lines (not header, predecessor, registrations or end). */
  const receiptLines = (lines: string[]) => lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('{"format":"sealproof-receipt/1"')).map(([, i]) => i);
  const cseqOf = (line: string) => (recordOf(line) as { cseq: number }).cseq;

  /** Copies the live store, changes the copy with `tamper`, and exports company a's bundle from it. */
  const tamperedExport = async (name: string, tamper: (db: Database.Database) => void): Promise<string[]> => {
    const copyDir = path.join(dir, name);
    fs.mkdirSync(copyDir);
    const live = new Database(path.join(env.svc.dataDir, SQLITE_FILE_NAME), { readonly: true });
    await live.backup(path.join(copyDir, SQLITE_FILE_NAME));
    live.close();
    const db = new Database(path.join(copyDir, SQLITE_FILE_NAME));
    tamper(db);
    db.close();
    const store = await openStore({ dataDir: copyDir });
    try {
      const lines: string[] = [];
      for await (const line of auditBundleLines(store, { company: a.id, range: { by: "cseq", from: null, to: null }, deployment: env.deployment, now: new Date() })) lines.push(line.trimEnd());
      return lines;
    } finally {
      await store.close();
    }
  };
  const usagePos = (db: Database.Database, nth: number): number =>
    db.prepare<[string, number], number>("SELECT pos FROM records WHERE company = ? AND type = 'seal.used' ORDER BY pos LIMIT 1 OFFSET ?").pluck().get(a.id, nth) as number;

  before(async () => {
    env = await startAnchoredService();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-audit-"));
    provider = new JsonRpcProvider(env.chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    pool = createSm2Pool(2);
    a = await createCompany(env.svc);
    b = await createCompany(env.svc);
    for (const co of [a, b]) await ok(env.svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    // The companies' records interleave in the log and in its batches.
    for (let i = 0; i < 4; i++) for (const co of [a, b]) await ok(useSeal(env.svc, co.employee, co.seal, co.scenarios.none, { document: `doc-${i}` }));
    await env.anchorAll();
    const r = await bundle(a);
    expect(r.status, r.text).to.equal(200);
    clean = r.text.trimEnd().split("\n");
  });
  after(async () => {
    await pool?.close();
    provider?.destroy();
    await env?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("exports the auditor's company alone, in cseq order from 0, with registrations and an end line", () => {
    const header = JSON.parse(clean[0]);
    expect(header).to.include({ format: "sealproof-audit/1", company: a.id, chainId: env.deployment.chainId, contract: env.deployment.contract });
    const records = receiptLines(clean).map((i) => recordOf(clean[i]));
    expect(records.map((r) => r.company)).to.deep.equal(records.map(() => a.id));
    expect(records.map((r) => (r as { cseq: number }).cseq)).to.deep.equal(records.map((_, i) => i));
    expect(records.filter((r) => r.type === "seal.used")).to.have.length(4);
    const registrations = clean.filter((l) => l.startsWith('{"registration"')).map((l) => JSON.parse(l).registration.record.type);
    expect(registrations.sort()).to.deep.equal(["company.registered", "seal.registered"]);
    expect(JSON.parse(clean[clean.length - 1])).to.deep.equal({ end: { receipts: records.length, pending: 0, registrations: 2 } });
    expect(clean.join("\n")).not.to.include(b.id);
  });

  it("lets the legal representative export, refuses an employee (403) and another company's bundle (404)", async () => {
    expect((await bundle(a, a.legalRep)).status).to.equal(200);
    const employee = await bundle(a, a.employee);
    expect(employee.status).to.equal(403);
    expect(JSON.parse(employee.text).error.code).to.equal("FORBIDDEN");
    const other = await bundle(a, a.auditor, `?company=${b.id}`);
    expect(other.status).to.equal(404);
    expect(other.text).not.to.include(b.seal.id);
  });

  it("starts a range mid-chain with its predecessor's receipt, and that range verifies", async () => {
    const r = await bundle(a, a.auditor, "?fromCseq=3&toCseq=6");
    const lines = r.text.trimEnd().split("\n");
    expect(JSON.parse(lines[1]).predecessor.record.cseq).to.equal(2);
    expect(receiptLines(lines).map((i) => cseqOf(lines[i]))).to.deep.equal([3, 4, 5, 6]);
    const report = await verify(lines, "range.jsonl");
    expect(report.findings).to.deep.equal([]);
    expect(report.verdict).to.equal("verified");
    const unlinked = await verify(lines.filter((_, i) => i !== 1), "unlinked.jsonl");
    expect(codes(unlinked)).to.deep.equal(["RANGE_NOT_LINKED"]);
  });

  it("passes a clean bundle, signatures included", async () => {
    const report = await verify(clean, "clean.jsonl");
    expect(report.findings).to.deep.equal([]);
    expect(report.verdict).to.equal("verified");
    expect(report.signatures).to.equal(4);
    expect(report.receipts).to.equal(receiptLines(clean).length);
  });

  it("finds a record whose bytes were changed in the store: LEAF_MISMATCH at its cseq", async () => {
    const lines = await tamperedExport("changed", (db) => {
      db.exec("DROP TRIGGER records_no_update");
      db.prepare(`UPDATE records SET body = replace(body, '"at":"2', '"at":"1') WHERE pos = ?`).run(usagePos(db, 1));
    });
    const changed = receiptLines(lines).map((i) => recordOf(lines[i])).find((r) => r.at.startsWith("1"));
    expect(changed, "the changed record is exported").to.not.equal(undefined);
    const report = await verify(lines, "changed.jsonl");
    expect(report.findings.filter((f) => f.code === "LEAF_MISMATCH").map((f) => [f.cseq, f.check, f.receipt])).to.deep.equal([[(changed as { cseq: number }).cseq, "leaf", changed!.data.receipt]]);
    expect(report.verdict).to.equal("failed");
  });

  it("finds a record deleted from the store: CSEQ_GAP at its cseq", async () => {
    const lines = await tamperedExport("deleted", (db) => {
      const pos = usagePos(db, 2);
      db.exec("DROP TRIGGER records_no_delete");
      db.prepare("DELETE FROM records WHERE pos = ?").run(pos);
    });
    const present = new Set(receiptLines(lines).map((i) => cseqOf(lines[i])));
    const missing = receiptLines(clean).map((i) => cseqOf(clean[i])).filter((c) => !present.has(c));
    expect(missing).to.have.length(1);
    const report = await verify(lines, "deleted.jsonl");
    expect(report.findings.map((f) => [f.code, f.cseq])).to.deep.equal([["CSEQ_GAP", missing[0]]]);
  });

  it("finds a batch root changed in the store: ROOT_MISMATCH against the chain", async () => {
    const lines = await tamperedExport("root", (db) => {
      db.exec("DROP TRIGGER batches_fixed");
      db.prepare("UPDATE batches SET root = ? WHERE id = (SELECT max(id) FROM batches)").run("ab".repeat(32));
    });
    const report = await verify(lines, "root.jsonl");
    const receipts = report.findings.filter((f) => f.check !== "signature");
    expect(receipts.length).to.be.greaterThan(0);
    expect(new Set(receipts.map((f) => [f.code, f.check].join(" ")))).to.deep.equal(new Set(["ROOT_MISMATCH chain", "ROOT_MISMATCH registration chain"]));
    // The seal's registration sits in the same batch: its key can no longer be trusted either.
    expect(new Set(report.findings.filter((f) => f.check === "signature").map((f) => f.code))).to.deep.equal(new Set(["SEAL_RECEIPT_INVALID"]));
  });

  it("finds two records swapped in the bundle: CSEQ_OUT_OF_ORDER", async () => {
    const [, , i, j] = receiptLines(clean);
    const lines = [...clean];
    [lines[i], lines[j]] = [lines[j], lines[i]];
    const report = await verify(lines, "swapped.jsonl");
    expect(report.findings.map((f) => [f.code, f.cseq])).to.deep.equal([["CSEQ_OUT_OF_ORDER", cseqOf(clean[i])]]);
  });

  it("finds a record inserted in the bundle: the invented record fails its receipt and the chain forks", async () => {
    const at = receiptLines(clean)[5];
    const forged = JSON.parse(clean[at]);
    forged.record.data = { ...forged.record.data, documentHash: "00".repeat(32) };
    const lines = [...clean.slice(0, at), JSON.stringify(forged), ...clean.slice(at)];
    const report = await verify(lines, "inserted.jsonl", { signatures: false });
    const cseq = cseqOf(clean[at]);
    expect(report.findings.map((f) => [f.code, f.cseq])).to.deep.include.members([
      ["LEAF_MISMATCH", cseq],
      ["CSEQ_REPEATED", cseq],
      ["COUNT_MISMATCH", null],
    ]);
  });

  it("finds another company's record slipped into the bundle: OTHER_COMPANY", async () => {
    const other = (await bundle(b, b.auditor)).text.split("\n");
    const theirs = other[receiptLines(other)[4]];
    const at = receiptLines(clean)[4];
    const lines = [...clean.slice(0, at), theirs, ...clean.slice(at)];
    const report = await verify(lines, "other.jsonl");
    expect(report.findings.map((f) => [f.code, f.cseq])).to.deep.equal([
      ["COUNT_MISMATCH", null],
      ["OTHER_COMPANY", cseqOf(theirs)],
    ]);
  });

  it("finds a bundle cut short in the middle: BUNDLE_TRUNCATED", async () => {
    const report = await verify(clean.slice(0, receiptLines(clean)[6]), "short.jsonl");
    expect(codes(report)).to.deep.equal(["BUNDLE_TRUNCATED"]);
  });

  it("finds a usage logged with a forged signature: SIGNATURE_INVALID at its cseq and receipt", async () => {
    const usage = receiptLines(clean).map((i) => recordOf(clean[i])).find((r) => r.type === "seal.used")!;
    const receipt = "4forgedReceiptId1234567";
    await env.svc.store.transaction((tx) =>
      tx.records.append([{ type: "seal.used", at: new Date().toISOString(), company: a.id, subject: usage.subject, actor: usage.actor, data: { ...usage.data, receipt, signature: "11".repeat(64) } }]),
    );
    await env.anchorAll();
    const lines = (await bundle(a)).text.trimEnd().split("\n");
    const report = await verify(lines, "forged.jsonl");
    const last = recordOf(lines[receiptLines(lines).at(-1)!]);
    expect(report.findings.map((f) => [f.code, f.cseq, f.receipt, f.check])).to.deep.equal([["SIGNATURE_INVALID", (last as { cseq: number }).cseq, receipt, "signature"]]);
    const skipped = await verify(lines, "forged-nosig.jsonl", { signatures: false });
    expect(skipped.verdict).to.equal("verified");
  });

  it("sealproof audit export and verify: exit 0 on the clean bundle, 1 listing each finding, 3 when the chain is unreachable", async () => {
    const env_ = { SEALPROOF_DEPLOYMENT: formatDeployment(env.deployment), SEALPROOF_RPC_URL: env.chain.rpcUrl, SEALPROOF_TRUST_FILE: path.join(dir, "trust.json") };
    const out = path.join(dir, "cli.jsonl");
    const exported = await run(["audit", "export", "--url", env.svc.url, "--key", a.auditor.token, "--to-cseq", "9", "--out", out], env_);
    expect(exported.status, exported.stderr).to.equal(0);
    const good = await run(["audit", "verify", out], env_);
    expect(good.status, good.stdout + good.stderr).to.equal(0);
    expect(good.stdout).to.include("VERIFIED").and.match(/✔\s+signatures\s+\d+ SM2 signatures/);
    const unreachable = await run(["audit", "verify", out, "--rpc", "http://127.0.0.1:9"], env_);
    expect(unreachable.status, unreachable.stdout).to.equal(3);
    expect(unreachable.stdout).to.include("INCONCLUSIVE");
    const lines = fs.readFileSync(out, "utf8").trimEnd().split("\n");
    fs.writeFileSync(out, `${lines.slice(0, -3).join("\n")}\n`);
    const cut = await run(["audit", "verify", out], env_);
    expect(cut.status).to.equal(1);
    expect(cut.stdout).to.include("BUNDLE_TRUNCATED").and.include("FAILED");
  });
});
