// Picks the adapter: MongoDB when a URI is configured, else the embedded SQLite file under the data directory.
import fs from "node:fs";
import path from "node:path";
import { openMongoStore } from "./mongo";
import type { Store } from "./port";
import { openSqliteStore } from "./sqlite";

export interface StoreConfig {
  dataDir: string;
  mongodbUri?: string;
}

export const SQLITE_FILE_NAME = "sealproof.db";

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.mongodbUri) return openMongoStore(config.mongodbUri);
  fs.mkdirSync(config.dataDir, { recursive: true });
  return openSqliteStore(path.join(config.dataDir, SQLITE_FILE_NAME));
}
