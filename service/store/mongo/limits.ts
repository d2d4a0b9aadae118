// Sizes the MongoDB adapter keeps its transactions within; no driver import, so configuration can read them.

/**
 * The most records one batch may hold on MongoDB (BATCH_MAX is capped to it when MONGODB_URI is set). A batch is one
 * transaction: every record of it rewritten with its seq and final text (~0.8 KB each as an oplog entry), its proofs
 * (~0.5 KB each, in chunk documents) and the batch document. At 2,048 records that is ~2.7 MB and ~2,050 documents:
 * a sixth of the 16 MB a transaction's oplog entry may hold on servers before 4.2, well inside the share of the
 * WiredTiger cache an uncommitted transaction may pin before it is aborted (5% of the cache on 4.0, a 256 MB cache at
 * the smallest: ~12.8 MB), and milliseconds of work against the 60 s transactionLifetimeLimitSeconds. SQLite has no
 * such limits and keeps BATCH_MAX as configured.
 */
export const MONGO_BATCH_MAX = 2048;

/**
 * Proofs per chunk document. A proof is the leaf hash and at most ⌈log2(batch size)⌉ path hashes of 32 bytes, so a
 * chunk of a batch of MONGO_BATCH_MAX holds at most 1,024 × 12 × 32 B ≈ 400 KB, far below the 16 MB document limit,
 * and a full batch writes two documents where it used to write one per record.
 */
export const PROOFS_PER_CHUNK = 1024;
