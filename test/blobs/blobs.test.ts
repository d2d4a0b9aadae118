// The blob-store contract on files always and on GridFS when MONGODB_URI is set (reported skipped otherwise), and
// what only the file adapter promises: nothing left half-written, nothing outside its folder.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import mongoose from "mongoose";
import { fileBlobStore } from "../../service/blobs/files";
import { openGridFsBlobStore } from "../../service/blobs/gridfs";
import { describeBlobContract } from "./contract";

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-blobs-"));
  dirs.push(dir);
  return dir;
};
after(function () {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describeBlobContract("files", async () => fileBlobStore(path.join(freshDir(), "blobs")));

const mongoUri = process.env.MONGODB_URI;
if (mongoUri) {
  const databases: string[] = [];
  describeBlobContract("gridfs", async () => {
    const dbName = `sealproof_blobs_${randomBytes(6).toString("hex")}`;
    databases.push(dbName);
    return openGridFsBlobStore(mongoUri, { dbName });
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
  describe.skip("blob store contract: gridfs (skipped: MONGODB_URI not set)", function () {
    it("passes the blob-store contract against a MongoDB replica set");
  });
}

describe("file blob store", function () {
  it("writes each key as one file under its folder, leaving no temporary file behind", async function () {
    const dir = path.join(freshDir(), "blobs");
    const blobs = fileBlobStore(dir);
    await blobs.put("photos/d_1/aa", Buffer.from("jpeg"));
    await blobs.put("photos/d_1/aa", Buffer.from("jpeg again"));
    expect(fs.readdirSync(path.join(dir, "photos", "d_1"))).to.deep.equal(["aa"]);
    expect(fs.readFileSync(path.join(dir, "photos", "d_1", "aa"), "utf8")).to.equal("jpeg again");
  });

  it("touches nothing outside its folder for a key that tries to leave it", async function () {
    const root = freshDir();
    const dir = path.join(root, "blobs");
    fs.writeFileSync(path.join(root, "secret"), "kept");
    const blobs = fileBlobStore(dir);
    await blobs.delete("../secret").catch(() => undefined);
    await blobs.put("../secret", Buffer.from("overwritten")).catch(() => undefined);
    expect(fs.readFileSync(path.join(root, "secret"), "utf8")).to.equal("kept");
  });
});
