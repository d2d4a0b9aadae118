// The evidence log of a SQLite store file, read-only: what the full-log check reads from a backup copy or a running
// service's file without changing a byte of it (a read-write open would migrate it and switch its journal mode).
import Database from "better-sqlite3";
import type { BatchLog, RecordLog } from "../port";
import { BatchReader } from "./batches";
import type { Connection } from "./connection";
import { MIGRATIONS } from "./migrations";
import { RecordReader } from "./records";

export interface SqliteLogReader {
  readonly schemaVersion: number;
  batches: Pick<BatchLog, "get" | "last" | "recordTexts" | "proof">;
  records: Pick<RecordLog, "count" | "waiting">;
  close(): void;
}

/** How long a read waits for the service's checkpoint to let go, as the store's own reader does. */
const BUSY_TIMEOUT_MS = 5_000;

export class SchemaVersionError extends Error {}

/** Opens `file` read-only; it must be at this build's schema version, whose tables the readers' statements name. */
export function openLogReader(file: string): SqliteLogReader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const schemaVersion = schemaVersionOf(db);
    const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
    if (schemaVersion !== latest) {
      throw new SchemaVersionError(
        `${file} is at schema version ${schemaVersion}, this build reads version ${latest}: ` +
          (schemaVersion < latest ? "restore it (the restore migrates it) or start the service on it once, then check it" : "check it with the build that wrote it"),
      );
    }
    const reader = new RecordReader(db);
    const records = reader.reads(() => {});
    return { schemaVersion, batches: new BatchReader(db, reader).reads(), records: { count: () => records.count(), waiting: () => records.waiting() }, close: () => db.close() };
  } catch (err) {
    db.close();
    throw err;
  }
}

function schemaVersionOf(db: Connection): number {
  const known = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  return known ? (db.prepare<[], number>("SELECT coalesce(max(version), 0) FROM schema_migrations").pluck().get() ?? 0) : 0;
}
