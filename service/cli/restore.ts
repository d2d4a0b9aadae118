// `sealproof restore`: puts a checked backup copy in place as the SQLite store, then runs the full-log check on it.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { activeLeases, BackupRefusedError, checkBackup, manifestPathOf, restoreSqliteFile, storeHoldsData } from "../store/sqlite/backup";
import { CliUsageError, type Command } from "./command";
import { CHECK_OPTIONS, CHECK_OPTIONS_HELP, checkTarget, dataDirOf, runLogCheck, sqliteFileIn, storeAdapters } from "./verify-log";

const HELP = `Usage: sealproof restore FILE [--data-dir DIR] [--force] [--deployment CHAINID:0xCONTRACT] [--rpc URL] [--json]

Restores a copy written by 'sealproof backup' as the service's SQLite store, then runs the full-log check on it
(as 'sealproof verify-log' does): the exit status says whether the restored store holds every anchored record.

Refuses, changing nothing:
  - when FILE's SHA-256 differs from FILE.manifest.json, or the manifest is missing;
  - when a service is running on the data directory (it holds a lease on the store; a service killed without
    stopping holds it until the lease expires, at most 30 s);
  - when the store there holds records or documents, unless --force. With --force the store it replaces (with its
    -wal and -shm files) is moved aside to sealproof.db.replaced-<time>, never deleted.
The restored store is migrated to this build's schema before the check. The data key is not in a backup: put the
one the backed-up service used in place (DATA_DIR/data-key, or DATA_KEY_FILE) before starting the service.

Options:
  --data-dir DIR  the data directory to restore into (default: $DATA_DIR, or ./data)
  --force         replace a store that holds data
${CHECK_OPTIONS_HELP}
  -h, --help      show this help

Exit status: the check's (0 the restored store holds every anchored record; 1 it does not, or the restore was
refused; 3 the chain could not be read), or 2 wrong usage or no deployment to check against.`;

export const restoreCommand: Command = {
  name: "restore",
  summary: "restore a backup copy as the SQLite store, then run the full-log check",
  help: HELP,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { "data-dir": { type: "string" }, force: { type: "boolean" }, ...CHECK_OPTIONS, help: { type: "boolean", short: "h" } },
    });
    if (values.help) return void console.log(HELP);
    if (positionals.length !== 1) throw new CliUsageError("give the backup FILE to restore");
    if (process.env.MONGODB_URI) throw new CliUsageError("MONGODB_URI is set: the service's store is MongoDB; restore it with mongorestore --oplogReplay (README, Backups), then run 'sealproof verify-log'");
    // Resolved before anything is touched: a usage error must not leave a restore half done.
    const target = checkTarget(values);
    const backup = path.resolve(positionals[0]);
    const dataDir = dataDirOf(values["data-dir"]);
    const store = await sqliteFileIn(dataDir);
    try {
      const manifest = await checkBackup(backup);
      if (fs.existsSync(store)) refuseIfInUse(store, values.force === true);
      const aside = await restoreSqliteFile(backup, manifest, store);
      console.log(`restored ${backup} (checked against ${path.basename(manifestPathOf(backup))}: ${manifest.records} sequenced records, created ${manifest.createdAt}) to ${store}`);
      if (aside !== null) console.log(`the store it replaced is kept as ${aside}`);
    } catch (err) {
      if (!(err instanceof BackupRefusedError)) throw err;
      console.error(`sealproof restore: refused: ${err.message}`);
      return 1;
    }
    // Opened as the service opens it, which migrates it to this build's schema; the check then reads it through the Store port.
    const { openStore } = await storeAdapters();
    const opened = await openStore({ dataDir });
    try {
      const status = await runLogCheck(opened, `SQLite ${store}`, target);
      if (status === 1) console.log("the restored store does not hold every anchored record unchanged: find a better copy before starting the service on it");
      return status;
    } finally {
      await opened.close();
    }
  },
};

function refuseIfInUse(store: string, force: boolean): void {
  const leases = activeLeases(store, new Date());
  if (leases.length > 0) {
    const held = leases.map((l) => `${l.name} by ${l.holder} until ${l.expiresAt.toISOString()}`).join(", ");
    throw new BackupRefusedError(`a service is running on ${path.dirname(store)} (lease ${held}): stop it first`);
  }
  if (!force && storeHoldsData(store)) throw new BackupRefusedError(`${store} holds records or documents: give --force to replace it (it is moved aside, not deleted)`);
}
