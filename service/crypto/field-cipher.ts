// SM4-GCM (GB/T 32907, GCM as in RFC 8998) for sensitive fields at rest. Node's OpenSSL offers no SM4-GCM, so the
// cipher comes from sm-crypto-v2, checked against the RFC 8998 test vector in test/crypto/field-cipher.test.ts.
import { randomBytes } from "node:crypto";
import { sm4 } from "sm-crypto-v2";

/** Stored form: PREFIX then base64url(iv ‖ ciphertext ‖ tag). A value without the prefix was written in clear. */
export const SEALED_PREFIX = "sm4gcm:v1:";
export const DATA_KEY_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface FieldCipher {
  /** Encrypts `plain`, bound to `context` (which field of which document): it opens only under the same context. */
  seal(plain: string, context: string): string;
  /** Decrypts a sealed value; returns a value written before encryption unchanged. */
  open(stored: string, context: string): string;
}

export class FieldCipherError extends Error {
  constructor(context: string) {
    super(`${context}: the stored value does not decrypt under this service's data key (DATA_KEY_FILE or DATA_DIR/data-key), or was altered`);
    this.name = "FieldCipherError";
  }
}

export function sm4GcmCipher(key: Uint8Array): FieldCipher {
  if (key.length !== DATA_KEY_BYTES) throw new RangeError(`an SM4 key is ${DATA_KEY_BYTES} bytes, got ${key.length}`);
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const { output, tag } = sm4.encrypt(Buffer.from(plain, "utf8"), key, { mode: "gcm", iv, associatedData: Buffer.from(context, "utf8"), output: "array", outputTag: true });
      if (tag === undefined) throw new Error("sm4-gcm returned no tag");
      return SEALED_PREFIX + Buffer.concat([iv, output, tag]).toString("base64url");
    },
    open(stored, context) {
      if (!stored.startsWith(SEALED_PREFIX)) return stored;
      const bytes = Buffer.from(stored.slice(SEALED_PREFIX.length), "base64url");
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new FieldCipherError(context);
      const iv = bytes.subarray(0, IV_BYTES);
      const tag = bytes.subarray(bytes.length - TAG_BYTES);
      try {
        const plain = sm4.decrypt(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES), key, { mode: "gcm", iv, tag, associatedData: Buffer.from(context, "utf8"), output: "array" });
        return Buffer.from(plain).toString("utf8");
      } catch {
        throw new FieldCipherError(context);
      }
    },
  };
}
