// Picks the adapter: MongoDB when a URI is configured, else the embedded SQLite file under the data directory.
import fs from "node:fs";
import path from "node:path";
import { openMongoStore } from "./mongo";
import type { Store, StoreUnavailableError } from "./port";
import type { NoKinds, Schema } from "./schema";
import { openSqliteStore } from "./sqlite";

export interface StoreConfig<S extends Schema = NoKinds> {
  dataDir: string;
  mongodbUri?: string;
  /** The document kinds the store holds (the domain's and http's, merged in main.ts); none when absent. */
  schema?: S;
  /** SQLite: told once when a WAL sync fails and the store stops writing. */
  onFatal?: (error: StoreUnavailableError) => void;
  /** Called when a guarded write (Store.guarded) is durable, before its caller hears (crash tests). */
  afterGuardedWrite?: () => void;
}

export const SQLITE_FILE_NAME = "sealproof.db";

export async function openStore<S extends Schema = NoKinds>(config: StoreConfig<S>): Promise<Store<S>> {
  const { schema, afterGuardedWrite } = config;
  if (config.mongodbUri) return openMongoStore(config.mongodbUri, { schema, afterGuardedWrite });
  fs.mkdirSync(config.dataDir, { recursive: true });
  return openSqliteStore(path.join(config.dataDir, SQLITE_FILE_NAME), { schema, onFatal: config.onFatal, afterGuardedWrite });
}
