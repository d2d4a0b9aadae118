// The embedded default adapter: a Store in one SQLite file (better-sqlite3, WAL, synchronous=FULL).
export { openSqliteStore, type SqliteStoreOptions } from "./store";
