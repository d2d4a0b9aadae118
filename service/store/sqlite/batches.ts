// The batch log tables: batches with their anchors and one proof blob per batched record; the record texts leaves
// are hashed from come from the record log (records.ts), where a batch's end is what makes its records sequenced. Reads run on the reader connection, writes on the writer inside the group-commit queue.
import type Database from "better-sqlite3";
import { batchConflict, checkBatchShape, decodeProof, proofBuffer, type ClosingBatch } from "../batches";
import type { BatchAnchor, BatchLog, BatchTree, StoredBatch } from "../port";
import { BatchPreparer, type BatchStart, type PreparedBatch } from "./batch-prep";
import type { Connection } from "./connection";
import type { RecordReader } from "./records";

export type BatchReads = Pick<BatchLog, "get" | "last" | "forSeq" | "firstUnanchored" | "proof" | "recordTexts">;

interface BatchRow {
  id: number;
  first_seq: number;
  count: number;
  root: string;
  closed_at: string;
  chain_id: number | null;
  contract: string | null;
  tx_hash: string | null;
  block_number: number | null;
  anchored_at: string | null;
}

const BATCH_COLUMNS = "id, first_seq, count, root, closed_at, chain_id, contract, tx_hash, block_number, anchored_at";

export class BatchReader {
  private readonly byId: Database.Statement<[number], BatchRow>;
  private readonly latest: Database.Statement<[], BatchRow>;
  private readonly startingAtOrBefore: Database.Statement<[number], BatchRow>;
  private readonly lowestUnanchored: Database.Statement<[], BatchRow>;
  private readonly proofOf: Database.Statement<[number], Buffer>;

  constructor(
    db: Connection,
    private readonly records: RecordReader,
  ) {
    this.byId = db.prepare<[number], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches WHERE id = ?`);
    this.latest = db.prepare<[], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches ORDER BY id DESC LIMIT 1`);
    this.startingAtOrBefore = db.prepare<[number], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`);
    // The condition repeats the partial index's own, which is what lets SQLite use it.
    this.lowestUnanchored = db.prepare<[], BatchRow>(`SELECT ${BATCH_COLUMNS} FROM batches WHERE tx_hash IS NULL ORDER BY id LIMIT 1`);
    this.proofOf = db.prepare<[number], Buffer>("SELECT proof FROM proofs WHERE seq = ?").pluck();
  }

  reads(): BatchReads {
    return {
      get: async (id) => batchOrNull(this.byId.get(id)),
      last: async () => batchOrNull(this.latest.get()),
      forSeq: async (seq) => {
        const row = this.startingAtOrBefore.get(seq);
        return row !== undefined && seq < row.first_seq + row.count ? toBatch(row) : null;
      },
      firstUnanchored: async () => batchOrNull(this.lowestUnanchored.get()),
      proof: async (seq) => {
        const blob = this.proofOf.get(seq);
        return blob === undefined ? null : decodeProof(blob);
      },
      recordTexts: async (fromSeq, limit) => (limit > 0 ? this.records.sequencedTexts(fromSeq, limit) : []),
    };
  }

  /** The last batch as the given connection sees it; the writer uses it to place the next batch. */
  last(): StoredBatch | null {
    return batchOrNull(this.latest.get());
  }
}

export class BatchWriter {
  private readonly insertBatch: Database.Statement<[number, number, number, string, string]>;
  private readonly insertProof: Database.Statement<[number, Buffer, number | null, Buffer | null]>;
  private readonly setHead: Database.Statement<[string, number, Buffer]>;
  private readonly anchor: Database.Statement<[number, string, string, number, string, number]>;
  private readonly unanchor: Database.Statement<[number]>;
  private readonly preparer: BatchPreparer;

  /** `batches` and `records` read through the writer connection, so they see the open transaction. */
  constructor(
    db: Connection,
    private readonly batches: BatchReader,
    private readonly records: RecordReader,
  ) {
    this.insertBatch = db.prepare<[number, number, number, string, string]>(
      "INSERT INTO batches (id, first_seq, count, root, closed_at) VALUES (?, ?, ?, ?, ?)",
    );
    this.insertProof = db.prepare<[number, Buffer, number | null, Buffer | null]>("INSERT INTO proofs (seq, proof, cseq, prev) VALUES (?, ?, ?, ?)");
    this.setHead = db.prepare<[string, number, Buffer]>(
      "INSERT INTO company_heads (company, next, leaf) VALUES (?, ?, ?) ON CONFLICT (company) DO UPDATE SET next = excluded.next, leaf = excluded.leaf",
    );
    this.anchor = db.prepare<[number, string, string, number, string, number]>(
      "UPDATE batches SET chain_id = ?, contract = ?, tx_hash = ?, block_number = ?, anchored_at = ? WHERE id = ?",
    );
    this.unanchor = db.prepare<[number]>(
      "UPDATE batches SET chain_id = NULL, contract = NULL, tx_hash = NULL, block_number = NULL, anchored_at = NULL WHERE id >= ? AND tx_hash IS NOT NULL",
    );
    this.preparer = new BatchPreparer(db);
  }

  /**
   * The sequencer's step (BatchLog.sequence), run inside a transaction of the group-commit queue: a throw undoes its
   * savepoint, so the batch, its proofs and the company heads are written together or not at all. The records after
   * the last batch, in acceptance order, each with seq = pos − 1: a batch is what sequences them, with no write to the
   * records table (in a file written before sequencing existed, those numbered when written and not yet batched come
   * first, as they are). `prepared` supplies them read and hashed already when it was prepared after this same last
   * batch with this max; otherwise (none, or another batch closed since) they are read and hashed here. Returns the
   * batch with what it was prepared from, or null when no record waits.
   */
  sequence(max: number, closedAt: Date, tree: BatchTree, prepared: PreparedBatch | null): { batch: StoredBatch; prepared: PreparedBatch } | null {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`batches: max must be a positive integer, got ${max}`);
    const last = this.batches.last();
    const start = batchStartAfter(last);
    const taken = prepared !== null && prepared.max === max && sameBatchStart(prepared.start, start) ? prepared : this.preparer.prepare(start, max);
    const { texts, leaves, links, heads } = taken;
    if (texts.length === 0) return null;
    const { root, proofs } = tree(texts, leaves);
    const { firstSeq } = start;
    const batch: ClosingBatch = { id: last === null ? 0 : last.id + 1, firstSeq, count: texts.length, root, closedAt: closedAt.toISOString() };
    checkBatchShape(batch, proofs);
    const conflict = batchConflict(batch, { last, recordCount: this.records.stored() });
    if (conflict !== null) throw conflict;
    this.insertBatch.run(batch.id, batch.firstSeq, batch.count, batch.root, batch.closedAt);
    proofs.forEach((proof, i) => {
      const link = links[i];
      this.insertProof.run(firstSeq + i, proofBuffer(proof), link?.cseq ?? null, link === null ? null : Buffer.from(link.prev, "hex"));
    });
    for (const [company, head] of heads) this.setHead.run(company, head.next, Buffer.from(head.leaf));
    return { batch: { ...batch, anchor: null }, prepared: taken };
  }

  setAnchor(id: number, anchor: BatchAnchor): void {
    const { changes } = this.anchor.run(anchor.chainId, anchor.contract, anchor.txHash, anchor.blockNumber, anchor.anchoredAt, id);
    if (changes === 0) throw new Error(`batches: no batch ${id}`);
  }

  clearAnchors(fromId: number): void {
    this.unanchor.run(fromId);
  }
}

/** Where the batch after `last` starts. */
export function batchStartAfter(last: StoredBatch | null): BatchStart {
  return last === null ? { last: null, firstSeq: 0 } : { last: { id: last.id, root: last.root }, firstSeq: last.firstSeq + last.count };
}

function sameBatchStart(a: BatchStart, b: BatchStart): boolean {
  return a.firstSeq === b.firstSeq && a.last?.id === b.last?.id && a.last?.root === b.last?.root;
}

function toBatch(row: BatchRow): StoredBatch {
  const { id, first_seq: firstSeq, count, root, closed_at: closedAt } = row;
  return { id, firstSeq, count, root, closedAt, anchor: anchorOf(row) };
}

function batchOrNull(row: BatchRow | undefined): StoredBatch | null {
  return row === undefined ? null : toBatch(row);
}

/** A CHECK keeps the anchor columns all set or all null. */
function anchorOf(row: BatchRow): BatchAnchor | null {
  const { chain_id: chainId, contract, tx_hash: txHash, block_number: blockNumber, anchored_at: anchoredAt } = row;
  if (chainId === null || contract === null || txHash === null || blockNumber === null || anchoredAt === null) return null;
  return { chainId, contract, txHash, blockNumber, anchoredAt };
}
