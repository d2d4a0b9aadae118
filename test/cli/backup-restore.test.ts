// `sealproof backup`, `restore` and `verify-log` on a real SQLite store and a real chain node: a backup taken while
// the service runs restores and passes the full-log check; a copy with a record removed or changed fails it, naming
// the batch; refusals leave the data directory as it was.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { JsonRpcProvider } from "ethers";
import { startAnchoredService, type AnchoredService } from "../helpers/anchored-service";
import { addPerson, createCompany, type TestCompany } from "../helpers/company";
import { sealproof as run } from "../helpers/cli";
import { formatDeployment } from "../../service/evidence";
import { manifestPathOf, sha256File, type BackupManifest } from "../../service/store/sqlite/backup";
import { openLogReader } from "../../service/store/sqlite/log-reader";
import { checkLog, type LogCheckReport } from "../../service/anchoring/log-check";
import { anchorView, verifyLogCommand } from "../../service/cli/verify-log";

describe("cli: backup, restore and the full-log check", function () {
  this.timeout(180_000);
  let env: AnchoredService;
  let co: TestCompany;
  let dir: string;
  let backup: string;
  let manifest: BackupManifest;
  const sealproof = (args: string[], extra: Record<string, string> = {}) =>
    run(args, {
      DATA_DIR: env.svc.dataDir,
      MONGODB_URI: "",
      ANCHOR_CONTRACT: "",
      SEALPROOF_DEPLOYMENT: formatDeployment(env.deployment),
      SEALPROOF_RPC_URL: env.chain.rpcUrl,
      SEALPROOF_TRUST_FILE: path.join(dir, "trust.json"),
      ...extra,
    });
  const fresh = (name: string) => path.join(dir, name);

  before(async () => {
    env = await startAnchoredService();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-backup-"));
    co = await createCompany(env.svc);
    await env.anchorAll();
    await addPerson(env.svc, co.legalRep, ["employee"]);
    await addPerson(env.svc, co.legalRep, ["auditor"], null);
    await env.anchorAll();
    backup = fresh("store.backup");
    // Writes go on while the copy is taken: the copy is one consistent snapshot of them.
    const writing = Promise.all([1, 2, 3].map(() => addPerson(env.svc, co.legalRep, ["employee"])));
    const r = await sealproof(["backup", "--out", backup]);
    await writing;
    expect(r.status, r.stderr).to.equal(0);
    manifest = JSON.parse(fs.readFileSync(manifestPathOf(backup), "utf8"));
  });
  after(async () => {
    await env.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes the copy and a manifest whose SHA-256, record count and last batch are the copy's", async () => {
    expect(manifest.format).to.equal("sealproof-backup/1");
    expect(manifest.sha256).to.equal(await sha256File(backup));
    expect(manifest.bytes).to.equal(fs.statSync(backup).size);
    expect(manifest.lastBatch?.id).to.be.at.least(1);
    expect(manifest.records).to.be.at.least(manifest.lastBatch!.firstSeq + manifest.lastBatch!.count);
    expect(fs.readdirSync(dir).filter((f) => f.includes("partial"))).to.deep.equal([]);
  });

  it("restores into an empty data directory, and the restored store passes the full-log check", async () => {
    const target = fresh("restored");
    const r = await sealproof(["restore", backup, "--data-dir", target]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include("VERIFIED");
    expect(r.stdout).to.match(/✔ (\d+) of \1 batches re-hashed/);
    const report = await check(path.join(target, "sealproof.db"));
    expect(report.verdict).to.equal("verified");
    const copy = new Database(backup, { readonly: true });
    expect(report.pending.waiting).to.equal(copy.prepare("SELECT count(*) FROM records WHERE pos > (SELECT coalesce(max(first_seq + count), 0) FROM batches)").pluck().get());
    copy.close();
    expect(report.checkedRecords).to.equal(manifest.lastBatch!.firstSeq + manifest.lastBatch!.count);
    expect(report.problems).to.deep.equal([]);
  });

  it("checks the live store while the service runs", async () => {
    const r = await sealproof(["verify-log"]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.include("VERIFIED");
  });

  it("fails a backup with one record removed, naming the batch and the record", async () => {
    const tampered = await tamperedCopy("removed.db", (db) => db.prepare("DELETE FROM records WHERE pos = 3 + 1").run());
    const r = await sealproof(["restore", tampered, "--data-dir", fresh("removed")]);
    expect(r.status, r.stdout + r.stderr).to.equal(1);
    expect(r.stdout).to.include("ROOT_MISMATCH: batch 0 (seq 0–").and.include("record seq 3 is missing");
    expect(r.stdout).to.include("FAILED");
  });

  it("fails a backup whose last record was removed", async () => {
    const lastSeq = manifest.lastBatch!.firstSeq + manifest.lastBatch!.count - 1;
    const report = await check(await tamperedCopy("truncated.db", (db) => db.prepare("DELETE FROM records WHERE pos >= ? + 1").run(lastSeq)));
    expect(report.verdict).to.equal("failed");
    expect(report.problems.map((p) => [p.code, p.batch])).to.deep.equal([
      ["RECORDS_MISSING", manifest.lastBatch!.id],
      ["LOG_SHORT", null],
    ]);
    expect(report.problems[0].message).to.include(`records from seq ${lastSeq} to ${lastSeq} are missing`);
  });

  it("fails a backup with one record changed, and one whose batch root was rewritten to match, against the chain", async () => {
    const changeRecord = (db: Database.Database) => db.prepare(`UPDATE records SET body = replace(body, '"at":"2', '"at":"1') WHERE pos = 2 + 1`).run();
    const changed = await check(await tamperedCopy("changed.db", changeRecord));
    expect(changed.problems.map((p) => [p.code, p.batch])).to.deep.equal([["ROOT_MISMATCH", 0]]);
    expect(changed.problems[0].message).to.include("record seq 2 was changed");
    const recomputed = /the records hash to ([0-9a-f]{64})/.exec(changed.problems[0].message)?.[1];
    expect(recomputed).to.match(/^[0-9a-f]{64}$/);

    // The attacker makes the stored root agree with the changed record: only the chain can tell.
    const forged = await check(
      await tamperedCopy("forged.db", (db) => {
        changeRecord(db);
        db.prepare("UPDATE batches SET root = ? WHERE id = 0").run(recomputed);
      }),
    );
    expect(forged.problems.map((p) => [p.code, p.batch])).to.deep.equal([["CHAIN_ROOT_MISMATCH", 0]]);

    const rootOnly = await check(await tamperedCopy("root.db", (db) => db.prepare("UPDATE batches SET root = ? WHERE id = 1").run("00".repeat(32))));
    expect(rootOnly.problems.map((p) => [p.code, p.batch])).to.deep.equal([["ROOT_MISMATCH", 1]]);
    expect(rootOnly.problems[0].message).to.include("which the chain holds: the stored root was changed");
  });

  it("fails a backup with a batch removed", async () => {
    const report = await check(await tamperedCopy("no-batch.db", (db) => db.prepare("DELETE FROM batches WHERE id = 0").run()));
    expect(report.problems.map((p) => [p.code, p.batch])).to.deep.equal([
      ["BATCH_GAP", 0],
      ["BATCH_GAP", 1],
    ]);
    expect(report.problems[1].message).to.include("the log starts at seq 0");
  });

  it("refuses a copy whose SHA-256 is not its manifest's, leaving the data directory untouched", async () => {
    const damaged = fresh("damaged.db");
    const bytes = fs.readFileSync(backup);
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(damaged, bytes);
    fs.copyFileSync(manifestPathOf(backup), manifestPathOf(damaged));
    const target = fresh("not-restored");
    const r = await sealproof(["restore", damaged, "--data-dir", target]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.include("refused").and.include("SHA-256");
    expect(fs.existsSync(path.join(target, "sealproof.db"))).to.equal(false);
    const noManifest = fresh("bare.db");
    fs.copyFileSync(backup, noManifest);
    expect((await sealproof(["restore", noManifest, "--data-dir", target])).stderr).to.include("manifest.json is missing");
  });

  it("refuses to replace a store holding data unless --force, and then keeps the old one aside", async () => {
    const target = fresh("twice");
    fs.mkdirSync(target);
    fs.copyFileSync(backup, path.join(target, "sealproof.db"));
    const refused = await sealproof(["restore", backup, "--data-dir", target]);
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.include("--force");
    const forced = await sealproof(["restore", backup, "--data-dir", target, "--force"]);
    expect(forced.status, forced.stdout + forced.stderr).to.equal(0);
    expect(fs.readdirSync(target).filter((f) => f.startsWith("sealproof.db.replaced-"))).to.have.length.at.least(1);
  });

  it("refuses to restore onto a store a running service holds, even with --force", async () => {
    const before = await sha256File(path.join(env.svc.dataDir, "sealproof.db"));
    expect(await env.svc.store.leases.acquire("batcher", "node-under-test", 30_000, new Date())).to.equal(true);
    try {
      const r = await sealproof(["restore", backup, "--force"]);
      expect(r.status).to.equal(1);
      expect(r.stderr).to.include("a service is running").and.include("node-under-test");
    } finally {
      await env.svc.store.leases.release("batcher", "node-under-test");
    }
    expect(fs.readdirSync(env.svc.dataDir).filter((f) => f.includes("replaced"))).to.deep.equal([]);
    expect(await sha256File(path.join(env.svc.dataDir, "sealproof.db"))).to.equal(before);
  });

  it("is inconclusive (3) when the chain cannot be read, and refuses to run with no deployment pinned (2)", async () => {
    const r = await sealproof(["verify-log", "--file", backup, "--rpc", "http://127.0.0.1:9"]);
    expect(r.status, r.stdout + r.stderr).to.equal(3);
    expect(r.stdout).to.include("CHAIN_UNREACHABLE").and.include("INCONCLUSIVE");
    const unpinned = await sealproof(["verify-log", "--file", backup], { SEALPROOF_DEPLOYMENT: "" });
    expect(unpinned.status).to.equal(2);
    expect(unpinned.stderr).to.include("--deployment");
  });

  it("fails a backup older than the chain: batches anchored since are not in the copy", async () => {
    await addPerson(env.svc, co.legalRep, ["employee"]);
    await env.anchorAll();
    const report = await check(backup);
    expect(report.problems.map((p) => p.code)).to.deep.equal(["BATCHES_MISSING"]);
    expect(report.problems[0].message).to.include(`batches ${manifest.lastBatch!.id + 1}–`);
  });

  it("says in its help that it becomes 'audit verify --all'", () => {
    expect(verifyLogCommand.help).to.include("audit verify --all");
  });

  /** The full-log check of a store file in this process, against the test chain. */
  async function check(file: string): Promise<LogCheckReport> {
    const reader = openLogReader(file);
    const provider = new JsonRpcProvider(env.chain.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
    try {
      return await checkLog(reader, anchorView(provider, env.deployment.contract), { deployment: env.deployment });
    } finally {
      provider.destroy();
      reader.close();
    }
  }

  /** A copy of the backup changed as an attacker with the file would: the append-only triggers dropped first. */
  async function tamperedCopy(name: string, change: (db: Database.Database) => void): Promise<string> {
    const file = fresh(name);
    fs.copyFileSync(backup, file);
    const db = new Database(file);
    const triggers = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('records', 'batches')").pluck().all();
    for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
    change(db);
    db.close();
    const written: BackupManifest = { ...manifest, file: name, bytes: fs.statSync(file).size, sha256: await sha256File(file) };
    fs.writeFileSync(manifestPathOf(file), JSON.stringify(written));
    return file;
  }
});
