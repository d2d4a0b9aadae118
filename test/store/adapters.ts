// Runs a part of the Store contract against every adapter: SQLite always (with and without group commit), MongoDB
// when MONGODB_URI is set; without it the MongoDB run is reported as skipped, never faked.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { openMongoStore } from "../../service/store/mongo";
import type { Store } from "../../service/store/port";
import { openSqliteStore, type SqliteStoreOptions } from "../../service/store/sqlite";
import { TEST_SCHEMA, type TestSchema } from "./schema";

const tempDirs: string[] = [];

after(function () {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new SQLite file in a directory removed after the run. */
export function freshDbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-store-"));
  tempDirs.push(dir);
  return path.join(dir, "sealproof.db");
}

/** The SQLite store opened with the test schema. */
export function openTestSqliteStore(file: string, options: Omit<SqliteStoreOptions, "schema"> = {}): Promise<Store<TestSchema>> {
  return openSqliteStore(file, { ...options, schema: TEST_SCHEMA });
}

/** Calls `describeContract` once per adapter, each with a function opening a fresh, empty store of it. */
export function onEveryAdapter(what: string, describeContract: (name: string, open: () => Promise<Store<TestSchema>>) => void): void {
  describeContract("sqlite", () => openTestSqliteStore(freshDbFile()));
  describeContract("sqlite without group commit", () => openTestSqliteStore(freshDbFile(), { maxGroupSize: 1 }));
  const mongoUri = process.env.MONGODB_URI;
  if (!mongoUri) {
    describe.skip(`${what}: mongo (skipped: MONGODB_URI not set)`, function () {
      it(`passes the ${what.toLowerCase()} against a MongoDB replica set`);
    });
    return;
  }
  const databases: string[] = [];
  describeContract("mongo", () => {
    const dbName = `sealproof_test_${randomBytes(6).toString("hex")}`;
    databases.push(dbName);
    return openMongoStore(mongoUri, { dbName, schema: TEST_SCHEMA });
  });
  after(async function () {
    const connection = await mongoose.createConnection(mongoUri).asPromise();
    try {
      for (const dbName of databases.splice(0)) await connection.useDb(dbName).dropDatabase();
    } finally {
      await connection.close();
    }
  });
}
