// The blob-store contract: every adapter passes it unchanged (files always, GridFS when MONGODB_URI is set).
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { BlobKeyError, type BlobStore } from "../../service/blobs/port";

export function describeBlobContract(name: string, open: () => Promise<BlobStore>): void {
  describe(`blob store contract: ${name}`, function () {
    this.timeout(30_000);
    let blobs: BlobStore;

    beforeEach(async function () {
      blobs = await open();
    });

    afterEach(async function () {
      await blobs.close();
    });

    it("gives back exactly the bytes put under a key, and null for a key never put", async function () {
      const bytes = randomBytes(300_000);
      await blobs.put("photos/d_1/aa", bytes);
      expect(Buffer.from((await blobs.get("photos/d_1/aa")) ?? [])).to.deep.equal(bytes);
      expect(await blobs.get("photos/d_1/ab")).to.equal(null);
      expect(await blobs.get("photos/d_2/aa")).to.equal(null);
    });

    it("keeps an empty blob apart from an absent one", async function () {
      await blobs.put("empty", new Uint8Array(0));
      expect(await blobs.get("empty")).to.deep.equal(new Uint8Array(0));
    });

    it("replaces a key's bytes on a second put, and keeps other keys", async function () {
      await blobs.put("k/1", Buffer.from("first"));
      await blobs.put("k/2", Buffer.from("other"));
      await blobs.put("k/1", Buffer.from("second, longer"));
      expect(Buffer.from((await blobs.get("k/1")) ?? []).toString()).to.equal("second, longer");
      expect(Buffer.from((await blobs.get("k/2")) ?? []).toString()).to.equal("other");
    });

    it("forgets a deleted key, keeps the others, and deletes an absent key without complaint", async function () {
      await blobs.put("k/1", Buffer.from("one"));
      await blobs.put("k/2", Buffer.from("two"));
      await blobs.delete("k/1");
      await blobs.delete("k/1");
      await blobs.delete("never/put");
      expect(await blobs.get("k/1")).to.equal(null);
      expect(Buffer.from((await blobs.get("k/2")) ?? []).toString()).to.equal("two");
    });

    it("refuses keys that could leave its space or name nothing, storing nothing", async function () {
      for (const key of ["", "../x", "a/../../x", "/abs", "a//b", "a/./b", "a/..", "a\\b", "é", "a/b/"]) {
        const failed = await blobs.put(key, Buffer.from("x")).then(() => null, (err: unknown) => err);
        expect(failed, JSON.stringify(key)).to.be.instanceOf(BlobKeyError);
        expect(await blobs.get(key).catch((err: unknown) => err), JSON.stringify(key)).to.be.instanceOf(BlobKeyError);
      }
    });
  });
}
