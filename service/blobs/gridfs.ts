// The blob store with MongoDB (MONGODB_URI): GridFS, one file per put named by its key. A put uploads a new file and
// then drops the key's older ones; GridFS writes a file's entry only after its chunks, so a reader sees the newest
// whole file, and a crash mid-upload leaves the previous bytes readable.
import { Readable } from "node:stream";
import mongoose, { mongo } from "mongoose";
import { checkBlobKey, type BlobStore } from "./port";

export const BLOB_BUCKET = "blobs";

export interface GridFsOptions {
  /** Overrides the database named in the URI (tests use one database per test). */
  dbName?: string;
}

export async function openGridFsBlobStore(uri: string, options: GridFsOptions = {}): Promise<BlobStore> {
  const connection = await mongoose.createConnection(uri, { dbName: options.dbName, readConcernLevel: "majority" }).asPromise();
  const db = connection.db;
  if (db === undefined) {
    await connection.close();
    throw new Error("mongoose connected without a database handle");
  }
  const bucket = new mongo.GridFSBucket(db, { bucketName: BLOB_BUCKET, writeConcern: { w: "majority", journal: true } });
  const idsOf = async (key: string): Promise<mongo.ObjectId[]> => (await bucket.find({ filename: key }, { sort: { uploadDate: -1, _id: -1 } }).toArray()).map((f) => f._id);
  const dropAll = async (ids: mongo.ObjectId[]): Promise<void> => {
    for (const id of ids) {
      try {
        await bucket.delete(id);
      } catch (err) {
        // Another put or delete of the same key dropped it first.
        if (!(err instanceof mongo.MongoRuntimeError && /not found/i.test(err.message))) throw err;
      }
    }
  };
  return {
    adapter: "gridfs",
    async put(key, bytes) {
      checkBlobKey(key);
      const upload = bucket.openUploadStream(key);
      await new Promise<void>((resolve, reject) => {
        Readable.from([Buffer.from(bytes)]).pipe(upload).on("finish", resolve).on("error", reject);
      });
      await dropAll((await idsOf(key)).filter((id) => !id.equals(upload.id)));
    },
    async get(key) {
      checkBlobKey(key);
      const [newest] = await idsOf(key);
      if (newest === undefined) return null;
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of bucket.openDownloadStream(newest)) chunks.push(chunk as Buffer);
      } catch (err) {
        // Deleted between the find and the read.
        if (err instanceof mongo.MongoRuntimeError && /not found/i.test(err.message)) return null;
        throw err;
      }
      return new Uint8Array(Buffer.concat(chunks));
    },
    async delete(key) {
      checkBlobKey(key);
      await dropAll(await idsOf(key));
    },
    async close() {
      await connection.close();
    },
  };
}
