// Picks the adapter: MongoDB when a URI is configured, else the embedded SQLite file under the data directory.
import fs from "node:fs";
import path from "node:path";
import { openMongoStore } from "./mongo";
import type { Store, StoreUnavailableError } from "./port";
import { openSqliteStore } from "./sqlite";

export interface StoreConfig {
  dataDir: string;
  mongodbUri?: string;
  /** SQLite: told once when a WAL sync fails and the store stops writing. */
  onFatal?: (error: StoreUnavailableError) => void;
  /** Called when a write guarded by an idempotency entry is durable, before its caller hears (crash tests). */
  afterGuardedWrite?: () => void;
}

export const SQLITE_FILE_NAME = "sealproof.db";

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.mongodbUri) return openMongoStore(config.mongodbUri, { afterGuardedWrite: config.afterGuardedWrite });
  fs.mkdirSync(config.dataDir, { recursive: true });
  return openSqliteStore(path.join(config.dataDir, SQLITE_FILE_NAME), { onFatal: config.onFatal, afterGuardedWrite: config.afterGuardedWrite });
}
