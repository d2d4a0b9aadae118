// Picks the blob store as the document store is picked: GridFS when MONGODB_URI is set, else files under DATA_DIR.
import path from "node:path";
import { fileBlobStore } from "./files";
import { openGridFsBlobStore } from "./gridfs";
import type { BlobStore } from "./port";

export const BLOB_DIR_NAME = "blobs";

export async function openBlobStore(config: { dataDir: string; mongodbUri?: string }): Promise<BlobStore> {
  if (config.mongodbUri) return openGridFsBlobStore(config.mongodbUri);
  return fileBlobStore(path.join(config.dataDir, BLOB_DIR_NAME));
}
