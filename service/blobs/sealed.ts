// Blobs encrypted at rest with the service's data key, over any blob store: stamp photos are personal data. SM4-CTR,
// then HMAC-SM3 over the blob's key, the IV and the ciphertext, both native in Node's OpenSSL, so a photo of megabytes
// is sealed without holding the event loop (field-cipher.ts's SM4-GCM is pure JS, for short fields). Bytes altered, or
// moved to another key, do not open.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { BlobStore } from "./port";

const MAGIC = Buffer.from("SPBLOB01");
const IV_BYTES = 16;
const TAG_BYTES = 32;

export class BlobIntegrityError extends Error {
  constructor(key: string) {
    super(`blob ${key} does not open under this service's data key (DATA_KEY_FILE or DATA_DIR/data-key), or was altered`);
    this.name = "BlobIntegrityError";
  }
}

export function sealedBlobStore(inner: BlobStore, dataKey: Uint8Array): BlobStore {
  const derive = (purpose: string) => createHmac("sm3", dataKey).update(`sealproof blob ${purpose}`).digest();
  const encryptionKey = derive("encryption").subarray(0, 16);
  const macKey = derive("authentication");
  const tagOf = (key: string, iv: Uint8Array, ciphertext: Uint8Array): Buffer => {
    const name = Buffer.from(key, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(name.length);
    return createHmac("sm3", macKey).update(length).update(name).update(MAGIC).update(iv).update(ciphertext).digest();
  };
  return {
    adapter: inner.adapter,
    async put(key, bytes) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("sm4-ctr", encryptionKey, iv);
      const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final()]);
      await inner.put(key, Buffer.concat([MAGIC, iv, ciphertext, tagOf(key, iv, ciphertext)]));
    },
    async get(key) {
      const stored = await inner.get(key);
      if (stored === null) return null;
      const sealed = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      if (sealed.length < MAGIC.length + IV_BYTES + TAG_BYTES || !sealed.subarray(0, MAGIC.length).equals(MAGIC)) throw new BlobIntegrityError(key);
      const iv = sealed.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
      const ciphertext = sealed.subarray(MAGIC.length + IV_BYTES, sealed.length - TAG_BYTES);
      if (!timingSafeEqual(sealed.subarray(sealed.length - TAG_BYTES), tagOf(key, iv, ciphertext))) throw new BlobIntegrityError(key);
      const decipher = createDecipheriv("sm4-ctr", encryptionKey, iv);
      return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    },
    delete: (key) => inner.delete(key),
    close: () => inner.close(),
  };
}
