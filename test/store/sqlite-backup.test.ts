// The SQLite store's online backup: a copy taken while a writer keeps committing finishes, is one consistent
// snapshot, and is described by its manifest; a copy that differs from its manifest is refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../service/store/sqlite";
import type { RecordDraft, Store } from "../../service/store/port";
import { batchTree } from "../../service/anchoring/batch-tree";
import { backupSqliteFile, BackupRefusedError, checkBackup, manifestPathOf, sha256File } from "../../service/store/sqlite/backup";
import { openLogReader } from "../../service/store/sqlite/log-reader";

describe("store: SQLite backup", function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  let store: Store;

  const drafts = (n: number): RecordDraft[] =>
    Array.from({ length: n }, (_, i) => ({ type: "seal.used", at: new Date().toISOString(), company: "c_1", subject: `s_${i}`, actor: "m_1", data: { filler: "x".repeat(600) } }));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-sqlite-backup-"));
    file = path.join(dir, "sealproof.db");
    store = await openSqliteStore(file);
    // More pages than one backup step copies (4,096 pages of 4 KiB), so the copy takes several steps.
    for (let i = 0; i < 30; i++) await store.transaction((tx) => tx.records.append(drafts(1_000)));
    while ((await store.batches.sequence(4_096, new Date(), batchTree)) !== null);
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("finishes while a writer commits between its steps, and the copy is the snapshot its manifest describes", async () => {
    const before = await store.records.count();
    let writing = true;
    let commits = 0;
    // The service writes from its own process; here the writer yields each turn so the copy's steps (setImmediate) run.
    const writer = (async () => {
      while (writing) {
        await store.transaction((tx) => tx.records.append(drafts(20)));
        await store.batches.sequence(4_096, new Date(), batchTree);
        commits++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const out = path.join(dir, "copy.db");
    let steps = 0;
    const manifest = await backupSqliteFile(file, out, () => steps++);
    writing = false;
    await writer;
    expect(steps, "the copy took several steps").to.be.at.least(2);
    expect(commits, "the writer committed during the copy").to.be.at.least(1);

    const copy = new Database(out, { readonly: true });
    expect(copy.pragma("journal_mode", { simple: true })).to.equal("delete");
    expect(copy.pragma("integrity_check", { simple: true })).to.equal("ok");
    copy.close();
    const reader = openLogReader(out);
    try {
      const records = await reader.records.count();
      const last = await reader.batches.last();
      expect(records).to.be.at.least(before).and.equal(manifest.records);
      expect(last === null ? 0 : last.firstSeq + last.count).to.equal(records);
      expect(manifest.lastBatch?.id).to.equal(last?.id);
    } finally {
      reader.close();
    }
    expect(manifest.sha256).to.equal(await sha256File(out));
    expect(fs.existsSync(`${out}-wal`)).to.equal(false);
    expect((await checkBackup(out)).sha256).to.equal(manifest.sha256);
  });

  it("refuses a copy whose bytes are not its manifest's", async () => {
    const out = path.join(dir, "changed.db");
    await backupSqliteFile(file, out);
    fs.appendFileSync(out, "\0");
    let refused: unknown = null;
    await checkBackup(out).catch((err: unknown) => (refused = err));
    expect(refused).to.be.instanceOf(BackupRefusedError);
    expect(String(refused)).to.include("SHA-256");
    fs.rmSync(manifestPathOf(out));
    await checkBackup(out).catch((err: unknown) => (refused = err));
    expect(String(refused)).to.include("manifest.json is missing");
  });
});
