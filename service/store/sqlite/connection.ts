// Opens the database file with the settings durability depends on: WAL, synchronous=NORMAL plus our own WAL
// sync before every acknowledgement (wal-sync.ts), foreign keys.
import fs from "node:fs";
import Database from "better-sqlite3";

export type Connection = Database.Database;

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * The one connection that writes. synchronous=NORMAL: COMMIT does not fsync the WAL; the group-commit queue
 * does, off the event loop, before any caller is told its transaction is stored.
 */
export function openWriter(file: string): Connection {
  const db = new Database(file);
  try {
    // Before WAL mode: SQLite gives the -wal and -shm files the database file's mode.
    fs.chmodSync(file, 0o600);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = db.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal") throw new Error(`${file}: SQLite refused WAL mode (journal_mode is ${String(mode)})`);
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * A second connection for reads outside a transaction. Under WAL it sees the last commit and never the writer's
 * open transaction, whose fn may be suspended at an await while other requests read.
 */
export function openReader(file: string): Connection {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
