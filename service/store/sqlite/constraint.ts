// Maps a SQLite constraint failure to the store's own error, so callers never see SQLite codes.
import Database from "better-sqlite3";

/** Runs a write; the SQLite constraint error `code` becomes toError(), anything else passes unchanged. */
export function onConstraint<T>(code: string, write: () => T, toError: () => Error): T {
  try {
    return write();
  } catch (err) {
    if (err instanceof Database.SqliteError && err.code === code) throw toError();
    throw err;
  }
}
