// The blob-store port: opaque bytes by key, outside the document store (stamp photos). Adapters: files under DATA_DIR
// (files.ts) and GridFS (gridfs.ts); both pass test/blobs/contract.ts.

/** Keys are paths of segments of letters, digits, `_`, `-` and `.` (never `.` or `..` alone), joined by `/`. */
export const BLOB_KEY_RE = /^(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]{1,128}(?:\/(?!\.{1,2}(?:\/|$))[A-Za-z0-9_.-]{1,128}){0,7}$/;

export interface BlobStore {
  /** Which adapter: "files" or "gridfs". */
  readonly adapter: string;
  /** Stores `bytes` under `key`, replacing what it held; durable when it resolves, and whole or absent after a crash. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `key`, or null when none. */
  get(key: string): Promise<Uint8Array | null>;
  /** Forgets `key`; resolves the same whether or not it held anything. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class BlobKeyError extends Error {
  constructor(key: string) {
    super(`${JSON.stringify(key)} is not a blob key`);
    this.name = "BlobKeyError";
  }
}

export function checkBlobKey(key: string): void {
  if (!BLOB_KEY_RE.test(key)) throw new BlobKeyError(key);
}
