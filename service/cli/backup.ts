// `sealproof backup`: an online copy of the SQLite store, safe while the service runs, with a manifest a restore checks.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { backupSqliteFile, manifestPathOf, type BackupManifest } from "../store/sqlite/backup";
import { CliUsageError, type Command } from "./command";
import { terminalProgress } from "./progress";
import { dataDirOf, sqliteFileIn } from "./verify-log";

const HELP = `Usage: sealproof backup --out FILE [--data-dir DIR] [--force]

Copies the service's SQLite store with SQLite's online backup API: safe while the service runs and writes (the
copy is one consistent snapshot). The copy is written under a temporary name, fsynced, and renamed to FILE only
when complete; beside it, FILE.manifest.json holds its SHA-256, size, schema version, record count and last batch.
'sealproof restore FILE' refuses a copy whose SHA-256 differs from its manifest.

Not in the copy: the data key (DATA_DIR/data-key, or the DATA_KEY_FILE you set), which decrypts the personal data
fields. Keep it once, apart from the backups; a restored store without it has its personal fields unreadable.
With MONGODB_URI set the service's store is MongoDB: back it up with MongoDB's own tools (see the README), then
check a restored copy with 'sealproof verify-log'.

Options:
  --out FILE      where to write the copy (its directory must exist)
  --data-dir DIR  the service's data directory (default: $DATA_DIR, or ./data)
  --force         replace FILE if it exists
  -h, --help      show this help

Exit status: 0 written; 1 the copy failed (nothing is left at FILE); 2 wrong usage.`;

export const backupCommand: Command = {
  name: "backup",
  summary: "copy the SQLite store online, with a checksummed manifest",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: "string" }, "data-dir": { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length > 0) throw new CliUsageError(`unexpected arguments: ${positionals.join(" ")}`);
    if (!values.out) throw new CliUsageError("missing --out FILE");
    if (process.env.MONGODB_URI) throw new CliUsageError("MONGODB_URI is set: the store is MongoDB; back it up with mongodump --oplog or a snapshot (README, Backups), and check the copy with 'sealproof verify-log'");
    const out = path.resolve(values.out);
    const source = await sqliteFileIn(dataDirOf(values["data-dir"]));
    if (!fs.existsSync(source)) throw new CliUsageError(`${source}: no store here (give --data-dir, or set DATA_DIR)`);
    if (!fs.existsSync(path.dirname(out))) throw new CliUsageError(`${path.dirname(out)}: no such directory`);
    if (out === source) throw new CliUsageError("--out names the store itself");
    if (fs.existsSync(out) && !values.force) throw new CliUsageError(`${values.out} exists: choose another file, or give --force to replace it`);
    const manifest = await copyWithProgress(source, out);
    const last = manifest.lastBatch;
    console.log(`backup written: ${out} (${manifest.bytes} bytes, SHA-256 ${manifest.sha256})`);
    console.log(`manifest: ${manifestPathOf(out)}`);
    console.log(`holds ${manifest.records} sequenced records; ${last === null ? "no batch yet" : `last batch ${last.id} (seq ${last.firstSeq}–${last.firstSeq + last.count - 1}, ${last.anchored ? "anchored" : "not anchored yet"})`}; schema version ${manifest.schemaVersion}`);
    console.log("the data key is not in the backup: keep a copy of it apart (see --help)");
  },
};

async function copyWithProgress(source: string, out: string): Promise<BackupManifest> {
  const progress = terminalProgress("copying", "pages");
  try {
    return await backupSqliteFile(source, out, (p) => progress?.update(p.copiedPages, p.totalPages));
  } finally {
    progress?.done();
  }
}
