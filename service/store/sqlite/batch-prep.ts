// The sequencer's reading and hashing, apart from its writing: the records after the last batch, numbered, with their final
// texts, leaf hashes and chain links, and the company heads they leave. Pure reads, so it runs on the writer inside the
// batch's transaction or on a connection of its own on the sequencer thread (sequencer-thread.ts); either way the
// transaction that writes the batch checks it follows the same last batch (batches.ts).
import type Database from "better-sqlite3";
import { sequenceRecords, type ChainLink, type CompanyHead, type ToSequence } from "../records";
import type { Connection } from "./connection";

/** Where a batch starts: after the last batch (null before the first), at that batch's end. */
export interface BatchStart {
  last: { id: number; root: string } | null;
  firstSeq: number;
}

/** A batch read and hashed but not written: what BatchWriter commits if the next batch still starts at `start`. */
export interface PreparedBatch {
  start: BatchStart;
  /** At most this many records were taken. */
  max: number;
  /** Final texts in seq order, from start.firstSeq. */
  texts: string[];
  /** Their SM3 leaf hashes, concatenated. */
  leaves: Uint8Array;
  links: Array<ChainLink | null>;
  /** The head of every company with a record in the batch, after it. */
  heads: Map<string, CompanyHead>;
}

interface WaitingRow {
  pos: number;
  seq: number | null;
  company: string;
  body: string;
}

export class BatchPreparer {
  private readonly lastBatch: Database.Statement<[], { id: number; first_seq: number; count: number; root: string }>;
  private readonly after: Database.Statement<[number, number], WaitingRow>;
  private readonly headOf: Database.Statement<[string], { next: number; leaf: Buffer }>;
  private readonly sequencedOf: Database.Statement<[string, number], { count: number; last: number | null }>;
  private readonly leafOf: Database.Statement<[number], Buffer>;

  constructor(db: Connection) {
    this.lastBatch = db.prepare("SELECT id, first_seq, count, root FROM batches ORDER BY id DESC LIMIT 1");
    this.after = db.prepare("SELECT pos, seq, company, body FROM records WHERE pos > ? ORDER BY pos LIMIT ?");
    this.headOf = db.prepare<[string], { next: number; leaf: Buffer }>("SELECT next, leaf FROM company_heads WHERE company = ?");
    this.sequencedOf = db.prepare<[string, number], { count: number; last: number | null }>("SELECT count(*) AS count, max(pos) AS last FROM records WHERE company = ? AND pos <= ?");
    this.leafOf = db.prepare<[number], Buffer>("SELECT substr(proof, 1, 32) FROM proofs WHERE seq = ?").pluck();
  }

  /** Where the next batch starts, as this connection sees the log now. */
  start(): BatchStart {
    const last = this.lastBatch.get();
    return last === undefined ? { last: null, firstSeq: 0 } : { last: { id: last.id, root: last.root }, firstSeq: last.first_seq + last.count };
  }

  /**
   * At most `max` records from `start`, numbered from start.firstSeq. Heads in `carried` (those a batch not yet visible
   * here leaves) are taken as they are; any other company's head is read.
   */
  prepare(start: BatchStart, max: number, carried: ReadonlyMap<string, CompanyHead> = new Map()): PreparedBatch {
    const waiting = this.waiting(start.firstSeq, max);
    const heads = new Map<string, CompanyHead>();
    for (const { company } of waiting) if (!heads.has(company)) this.loadHead(company, start.firstSeq, carried, heads);
    const { texts, leaves, links } = sequenceRecords(waiting, start.firstSeq, heads);
    // Own copies: a head's leaf is a view into `leaves`, which a later batch must not keep alive nor share.
    for (const [company, head] of heads) heads.set(company, { next: head.next, leaf: head.leaf.slice() });
    return { start, max, texts, leaves, links, heads };
  }

  /**
   * The records after the first `fromSeq`, at most `limit`, as the sequencer takes them: the stored text, final for a
   * record numbered when written (before schema 8), pending otherwise.
   */
  private waiting(fromSeq: number, limit: number): ToSequence[] {
    return this.after.all(fromSeq, limit).map((row, i) => {
      if (row.pos !== fromSeq + i + 1) throw new Error(`invariant: the record log has no record at pos ${fromSeq + i + 1}`);
      if (row.seq !== null && row.seq !== row.pos - 1) throw new Error(`invariant: the record at pos ${row.pos} has seq ${row.seq}`);
      return { company: row.company, text: row.body, final: row.seq !== null };
    });
  }

  /**
   * A company's chain head before the records from `sequencedThrough` on, into `heads`: carried, stored, or for a
   * company whose records were all sequenced before record v2, counted from them (its last record's leaf is in its
   * proof). A company with no record sequenced yet gets none.
   */
  private loadHead(company: string, sequencedThrough: number, carried: ReadonlyMap<string, CompanyHead>, heads: Map<string, CompanyHead>): void {
    const known = carried.get(company) ?? this.headOf.get(company);
    if (known !== undefined) {
      heads.set(company, { next: known.next, leaf: known.leaf });
      return;
    }
    const { count, last } = this.sequencedOf.get(company, sequencedThrough) ?? { count: 0, last: null };
    if (last === null) return;
    const leaf = this.leafOf.get(last - 1);
    if (leaf === undefined) throw new Error(`invariant: record seq ${last - 1} is sequenced but has no proof`);
    heads.set(company, { next: count, leaf });
  }
}
