// The blob-store contract on files always and on GridFS when MONGODB_URI is set (reported skipped otherwise), the
// same through the encryption at rest, and what only the file adapter promises: nothing left half-written, nothing
// outside its folder; and that sealed blobs keep no plaintext on disk and refuse bytes altered or moved.
import { createCipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import mongoose from "mongoose";
import { fileBlobStore } from "../../service/blobs/files";
import { openGridFsBlobStore } from "../../service/blobs/gridfs";
import { BlobIntegrityError, sealedBlobStore } from "../../service/blobs/sealed";
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
describeBlobContract("files, sealed with a data key", async () => sealedBlobStore(fileBlobStore(path.join(freshDir(), "blobs")), randomBytes(16)));

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

describe("sealed blob store", function () {
  const dataKey = randomBytes(16);
  const open = (dir: string, key: Uint8Array = dataKey) => sealedBlobStore(fileBlobStore(dir), key);
  const rejection = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err);

  it("uses Node's SM4, as GB/T 32907's example gives it", function () {
    const key = Buffer.from("0123456789abcdeffedcba9876543210", "hex");
    const cipher = createCipheriv("sm4-ecb", key, null).setAutoPadding(false);
    expect(Buffer.concat([cipher.update(key), cipher.final()]).toString("hex")).to.equal("681edf34d206965e86b3e94f536e4246");
  });

  it("keeps no plaintext on disk, and two puts of the same bytes differ there", async function () {
    const dir = path.join(freshDir(), "blobs");
    const blobs = open(dir);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(4096, 0x41)]);
    await blobs.put("photos/d_1/aa", photo);
    const first = fs.readFileSync(path.join(dir, "photos", "d_1", "aa"));
    expect(first.includes(Buffer.alloc(32, 0x41))).to.equal(false);
    await blobs.put("photos/d_1/aa", photo);
    expect(fs.readFileSync(path.join(dir, "photos", "d_1", "aa")).equals(first)).to.equal(false);
    expect(Buffer.from((await blobs.get("photos/d_1/aa")) ?? []).equals(photo)).to.equal(true);
  });

  it("refuses bytes altered on disk, moved to another key, or read under another data key", async function () {
    const dir = path.join(freshDir(), "blobs");
    const blobs = open(dir);
    await blobs.put("photos/d_1/aa", randomBytes(1000));
    await blobs.put("photos/d_1/bb", randomBytes(1000));
    const file = path.join(dir, "photos", "d_1", "aa");
    expect(await rejection(open(dir, randomBytes(16)).get("photos/d_1/aa"))).to.be.instanceOf(BlobIntegrityError);
    fs.copyFileSync(file, path.join(dir, "photos", "d_1", "bb"));
    expect(await rejection(blobs.get("photos/d_1/bb"))).to.be.instanceOf(BlobIntegrityError);
    for (const at of [0, 10, 500, 1040]) {
      const bytes = fs.readFileSync(file);
      const altered = Buffer.from(bytes);
      altered[at] ^= 1;
      fs.writeFileSync(file, altered);
      expect(await rejection(blobs.get("photos/d_1/aa")), `byte ${at}`).to.be.instanceOf(BlobIntegrityError);
      fs.writeFileSync(file, bytes);
    }
    fs.writeFileSync(file, Buffer.from("plain bytes written around the store"));
    expect(await rejection(blobs.get("photos/d_1/aa"))).to.be.instanceOf(BlobIntegrityError);
  });
});
