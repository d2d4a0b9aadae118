// Backup and restore of the SQLite store file: an online copy through SQLite's backup API, made durable and
// renamed into place only when complete, with a manifest whose SHA-256 a restore checks before using the copy.
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { openLogReader } from "./log-reader";

export const BACKUP_FORMAT = "sealproof-backup/1";

/** What `sealproof backup` writes beside the copy, as FILE.manifest.json. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** The copy's file name, in the manifest's own directory. */
  file: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  schemaVersion: number;
  /** Sequenced records in the copy. */
  records: number;
  lastBatch: { id: number; firstSeq: number; count: number; root: string; anchored: boolean } | null;
}

export interface BackupProgress {
  copiedPages: number;
  totalPages: number;
}

/**
 * Pages copied per step: SQLite holds a read snapshot only during a step, so a writer in another process that
 * commits between steps restarts the copy. Big steps finish a large file in few steps; after a restart the rest
 * is copied in one step, under one snapshot (WAL readers never block the service's writer), so the copy ends.
 */
const PAGES_PER_STEP = 4_096;
const ALL_REMAINING = 0x7fffffff;

export function manifestPathOf(file: string): string {
  return `${file}.manifest.json`;
}

/** Copies the store `source` to `out` while the service may be writing to it; resolves with the manifest written. */
export async function backupSqliteFile(source: string, out: string, onProgress: (p: BackupProgress) => void = () => {}): Promise<BackupManifest> {
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.partial`);
  const src = new Database(source, { readonly: true, fileMustExist: true });
  try {
    let lastRemaining = Infinity;
    await src.backup(temp, {
      progress: ({ totalPages, remainingPages }) => {
        onProgress({ copiedPages: totalPages - remainingPages, totalPages });
        // Without a restart every step leaves fewer pages; the same number left means it started over.
        const restarted = remainingPages >= lastRemaining;
        lastRemaining = remainingPages;
        return restarted ? ALL_REMAINING : PAGES_PER_STEP;
      },
    });
    const facts = await finishCopy(temp);
    fsyncFile(temp);
    const manifest: BackupManifest = { format: BACKUP_FORMAT, file: path.basename(out), bytes: fs.statSync(temp).size, sha256: await sha256File(temp), createdAt: new Date().toISOString(), ...facts };
    fs.renameSync(temp, out);
    writeDurably(manifestPathOf(out), `${JSON.stringify(manifest, null, 2)}\n`);
    fsyncDirectory(path.dirname(out));
    return manifest;
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  } finally {
    src.close();
  }
}

/**
 * Makes the copy one self-contained file (rollback journal, not WAL, so no -wal file is part of it) and reads what
 * the manifest says about it. quick_check catches a copy SQLite itself cannot read.
 */
async function finishCopy(file: string): Promise<Pick<BackupManifest, "schemaVersion" | "records" | "lastBatch">> {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma("journal_mode = DELETE");
    const problems = db.pragma("quick_check", { simple: true });
    if (problems !== "ok") throw new Error(`the copy fails SQLite's quick_check: ${String(problems)}`);
  } finally {
    db.close();
  }
  const reader = openLogReader(file);
  try {
    const last = await reader.batches.last();
    return {
      schemaVersion: reader.schemaVersion,
      records: await reader.records.count(),
      lastBatch: last === null ? null : { id: last.id, firstSeq: last.firstSeq, count: last.count, root: last.root, anchored: last.anchor !== null },
    };
  } finally {
    reader.close();
  }
}

export class BackupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupRefusedError";
  }
}

/** The manifest beside `file`, checked against the file's bytes; refuses a copy that is not the one backed up. */
export async function checkBackup(file: string): Promise<BackupManifest> {
  const manifestFile = manifestPathOf(file);
  if (!fs.existsSync(file)) throw new BackupRefusedError(`${file}: no such file`);
  if (!fs.existsSync(manifestFile)) throw new BackupRefusedError(`${manifestFile} is missing: without it nothing shows that ${file} is the copy 'sealproof backup' wrote`);
  const manifest = parseManifest(fs.readFileSync(manifestFile, "utf8"), manifestFile);
  const actual = await sha256File(file);
  if (actual !== manifest.sha256) throw new BackupRefusedError(`${file} has SHA-256 ${actual}, its manifest says ${manifest.sha256}: the copy is damaged or not the one backed up`);
  return manifest;
}

function parseManifest(text: string, where: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupRefusedError(`${where} is not JSON`);
  }
  const m = value as Partial<BackupManifest> | null;
  if (m === null || typeof m !== "object" || m.format !== BACKUP_FORMAT) throw new BackupRefusedError(`${where} is not a ${BACKUP_FORMAT} manifest`);
  if (typeof m.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.sha256)) throw new BackupRefusedError(`${where} has no valid sha256`);
  return m as BackupManifest;
}

/** Who holds a lease on the store at `now`: a service (batcher, outbox deliverer) running on it, or killed less than a lease ago. */
export function activeLeases(file: string, now: Date): { name: string; holder: string; expiresAt: Date }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasLeases = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'leases'").get() !== undefined;
    if (!hasLeases) return [];
    const rows = db.prepare<[number], { name: string; holder: string; expires_at: number }>("SELECT name, holder, expires_at FROM leases WHERE expires_at > ?").all(now.getTime());
    return rows.map((r) => ({ name: r.name, holder: r.holder, expiresAt: new Date(r.expires_at) }));
  } finally {
    db.close();
  }
}

/** Whether the store file holds anything a restore would lose: a record or a document. */
export function storeHoldsData(file: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = new Set(db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
    return ["records", "documents"].some((t) => tables.has(t) && db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() !== undefined);
  } finally {
    db.close();
  }
}

/**
 * Puts the checked copy `backup` in place as the store `target`. An existing store, with its -wal and -shm files
 * (a WAL left beside another database would be replayed into it), is moved aside, never deleted; resolves with
 * where it went. The copy is written under a temporary name, checked again, fsynced, then renamed.
 */
export async function restoreSqliteFile(backup: string, manifest: BackupManifest, target: string): Promise<string | null> {
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.restoring`);
  try {
    fs.copyFileSync(backup, temp);
    fs.chmodSync(temp, 0o600);
    fsyncFile(temp);
    if ((await sha256File(temp)) !== manifest.sha256) throw new BackupRefusedError(`the copy written to ${temp} does not match the manifest: the disk under ${dir} did not keep what was written`);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  const aside = fs.existsSync(target) ? `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, "-")}` : null;
  for (const suffix of ["", "-wal", "-shm"]) {
    if (aside !== null && fs.existsSync(target + suffix)) fs.renameSync(target + suffix, aside + suffix);
    else fs.rmSync(target + suffix, { force: true });
  }
  fs.renameSync(temp, target);
  fsyncDirectory(dir);
  return aside;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function writeDurably(file: string, text: string): void {
  const temp = `${file}.${process.pid}.partial`;
  fs.writeFileSync(temp, text, { mode: 0o600 });
  fsyncFile(temp);
  fs.renameSync(temp, file);
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A rename is durable only once the directory holding the new name is. */
function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
