// Runs the robustness part of the Store contract (contract-robustness.ts) against SQLite always and MongoDB when
// MONGODB_URI is set; without it the MongoDB run is reported as skipped, never faked.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mongoose from "mongoose";
import { openMongoStore } from "../../service/store/mongo";
import { openSqliteStore } from "../../service/store/sqlite";
import { describeStoreRobustness } from "./contract-robustness";
import { TEST_SCHEMA } from "./schema";

const tempDirs: string[] = [];

function freshDbFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-robust-"));
  tempDirs.push(dir);
  return path.join(dir, "sealproof.db");
}

after(function () {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeStoreRobustness("sqlite", () => openSqliteStore(freshDbFile(), { schema: TEST_SCHEMA }));
describeStoreRobustness("sqlite without group commit", () => openSqliteStore(freshDbFile(), { schema: TEST_SCHEMA, maxGroupSize: 1 }));

const mongoUri = process.env.MONGODB_URI;
if (mongoUri) {
  const databases: string[] = [];
  describeStoreRobustness("mongo", () => {
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
} else {
  describe.skip("Store contract, robustness: mongo (skipped: MONGODB_URI not set)", function () {
    it("passes the robustness contract against a MongoDB replica set");
  });
}
