// The default blob store: one file per key under a directory of DATA_DIR. Written to a temporary name, fsynced and
// renamed, the folder fsynced too, so a key holds its whole bytes or its previous ones after a crash, never a part.
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { checkBlobKey, type BlobStore } from "./port";

const TEMP_SUFFIX = ".part";

export function fileBlobStore(dir: string): BlobStore {
  const fileOf = (key: string): string => {
    checkBlobKey(key);
    return path.join(dir, ...key.split("/"));
  };
  return {
    adapter: "files",
    async put(key, bytes) {
      const file = fileOf(key);
      const folder = path.dirname(file);
      await fs.mkdir(folder, { recursive: true, mode: 0o700 });
      const temp = `${file}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`;
      const handle = await fs.open(temp, "wx", 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.rename(temp, file);
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
      await syncFolder(folder);
    },
    async get(key) {
      try {
        return new Uint8Array(await fs.readFile(fileOf(key)));
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async delete(key) {
      const file = fileOf(key);
      await fs.rm(file, { force: true });
      await syncFolder(path.dirname(file)).catch((err: unknown) => {
        if (!isMissing(err)) throw err;
      });
    },
    async close() {},
  };
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await fs.open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT";
}
