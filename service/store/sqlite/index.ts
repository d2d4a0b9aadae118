// The embedded default adapter: a Store in one SQLite file (better-sqlite3, WAL; every acknowledged commit is fsynced, see wal-sync.ts).
export { openSqliteStore, type SqliteStoreOptions } from "./store";
