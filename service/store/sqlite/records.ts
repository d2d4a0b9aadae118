// The evidence log table: accept records without a seq, look them up by id, seq, receipt id or company, and page
// through a company's records by time, type and subject. A record's position (pos, the rowid) is its acceptance
// order; positions are contiguous from 1 (a trigger keeps them so) and the sequencer takes records in that order, so
// a sequenced record's seq is pos − 1 and nothing is written to the table when records are sequenced: the records
// at positions up to the end of the last batch are sequenced, the rest wait. A record is stored as its pending text
// (seq null) and read as its final text, the seq spliced in (records.ts sequencedText); the batch proofs bind the
// leaf hash of that final text. Records written before schema 8 have their seq column set and their final text stored.
import type Database from "better-sqlite3";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, type LoggedRecord, type RecordDraft, type RecordFilter, type RecordLog, type Waiting } from "../port";
import { isV2Text, parseLogged, parseRecord, pendingRecord, pendingText, positionOf, receiptOf, sequencedText, sqliteRecordId } from "../records";
import type { Connection } from "./connection";
import { onConstraint } from "./constraint";
import type { Guard } from "./group-commit";

export type RecordReads = Omit<RecordLog, "append">;

/**
 * A stored record: seq is set only on records sequenced before schema 8, whose body is their final text; cseq and
 * prev are a sequenced v2 record's chain link, kept with its proof.
 */
interface StoredRow {
  pos: number;
  seq: number | null;
  body: string;
  cseq: number | null;
  prev: Buffer | null;
}

/** A record row with its chain link: the proof of seq pos − 1 is the record's own. */
const ROWS = "SELECT r.pos, r.seq, r.body, p.cseq, p.prev FROM records r LEFT JOIN proofs p ON p.seq = r.pos - 1";

export class RecordReader {
  private readonly byPos: Database.Statement<[number], StoredRow>;
  private readonly byReceipt: Database.Statement<[string], StoredRow>;
  private readonly range: Database.Statement<[number, number, number], StoredRow>;
  private readonly ofCompanyRange: Database.Statement<[string, number, number, number], StoredRow>;
  private readonly batchedThrough: Database.Statement<[], number>;
  private readonly numberedThrough: Database.Statement<[], number>;
  private readonly lastPos: Database.Statement<[], number>;
  private readonly acceptedAt: Database.Statement<[number], string>;
  /** One statement per filter shape (which of type, subject, from, to and the cursor are given), prepared on first use. */
  private readonly pages = new Map<string, Database.Statement<Array<string | number>, StoredRow>>();

  constructor(private readonly db: Connection) {
    this.byPos = db.prepare<[number], StoredRow>(`${ROWS} WHERE r.pos = ?`);
    this.byReceipt = db.prepare<[string], StoredRow>(`${ROWS} WHERE r.receipt = ?`);
    this.range = db.prepare<[number, number, number], StoredRow>(`${ROWS} WHERE r.pos > ? AND r.pos <= ? ORDER BY r.pos LIMIT ?`);
    this.ofCompanyRange = db.prepare<[string, number, number, number], StoredRow>(`${ROWS} WHERE r.company = ? AND r.pos > ? AND r.pos <= ? ORDER BY r.pos LIMIT ?`);
    this.batchedThrough = db.prepare<[], number>("SELECT coalesce((SELECT first_seq + count FROM batches ORDER BY id DESC LIMIT 1), 0)").pluck();
    // Only records written before schema 8 have a seq stored, and the partial index on seq holds just them.
    this.numberedThrough = db.prepare<[], number>("SELECT coalesce(max(seq) + 1, 0) FROM records WHERE seq IS NOT NULL").pluck();
    this.lastPos = db.prepare<[], number>("SELECT coalesce(max(pos), 0) FROM records").pluck();
    this.acceptedAt = db.prepare<[number], string>("SELECT accepted_at FROM records WHERE pos = ?").pluck();
  }

  reads(guard: Guard): RecordReads {
    return {
      byId: async (id) => {
        guard();
        const pos = positionOf(id);
        const row = pos === null ? undefined : this.byPos.get(pos);
        return row === undefined ? null : this.logged(row, this.next());
      },
      get: async (seq) => {
        guard();
        const row = Number.isSafeInteger(seq) && seq >= 0 && seq < this.next() ? this.byPos.get(seq + 1) : undefined;
        return row === undefined ? null : parseRecord(finalText(row));
      },
      getByReceipt: async (receiptId) => {
        guard();
        const row = this.byReceipt.get(receiptId);
        return row === undefined ? null : this.logged(row, this.next());
      },
      list: async ({ company, fromSeq = 0, limit }) => {
        guard();
        const through = this.next();
        const rows = company === undefined ? this.range.all(fromSeq, through, limit) : this.ofCompanyRange.all(company, fromSeq, through, limit);
        return rows.map((row) => parseRecord(finalText(row)));
      },
      page: async (filter, { after, limit }) => {
        guard();
        checkLimit(limit);
        const cursor = after === undefined ? null : decodeCursor(after, ["string", "number"] as const);
        const rows = this.pageStatement(filter, cursor !== null).all(...pageParameters(filter, cursor), limit + 1);
        const through = this.next();
        return pageOf(
          rows.map((row) => this.logged(row, through)),
          limit,
          ({ id, record }) => [record.at, positionOf(id) ?? 0],
        );
      },
      count: async () => {
        guard();
        return this.next();
      },
      waiting: async () => {
        guard();
        return this.waiting();
      },
    };
  }

  /** The final texts of sequenced records from `fromSeq` on, at most `limit`, in seq order. */
  sequencedTexts(fromSeq: number, limit: number): string[] {
    return this.range.all(fromSeq, this.next(), limit).map(finalText);
  }

  private pageStatement(filter: RecordFilter, afterCursor: boolean): Database.Statement<Array<string | number>, StoredRow> {
    const conditions = [
      "r.company = ?",
      ...(filter.type === undefined ? [] : ["r.type = ?"]),
      ...(filter.subject === undefined ? [] : ["r.subject = ?"]),
      ...(filter.from === undefined ? [] : ["r.at >= ?"]),
      ...(filter.to === undefined ? [] : ["r.at < ?"]),
      // A row value comparison: SQLite walks the (…, at, pos) index from the cursor on.
      ...(afterCursor ? ["(r.at, r.pos) > (?, ?)"] : []),
    ];
    const sql = `${ROWS} WHERE ${conditions.join(" AND ")} ORDER BY r.at, r.pos LIMIT ?`;
    let statement = this.pages.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<Array<string | number>, StoredRow>(sql);
      this.pages.set(sql, statement);
    }
    return statement;
  }

  /**
   * How many records are sequenced: those the batches cover, or, in a file written before sequencing existed, those
   * numbered when written, whichever reaches further — but never more than the file holds (a copy with its last
   * records cut off is short, not sequenced through records it lacks). Records at positions up to it are sequenced.
   */
  next(): number {
    return Math.min(Math.max(this.batchedThrough.get() ?? 0, this.numberedThrough.get() ?? 0), this.stored());
  }

  /** How many records are stored, sequenced or not: the last position. */
  stored(): number {
    return this.lastPos.get() ?? 0;
  }

  waiting(): Waiting {
    const through = this.next();
    const count = this.stored() - through;
    return { count, oldestAcceptedAt: count > 0 ? (this.acceptedAt.get(through + 1) ?? null) : null };
  }

  private logged(row: StoredRow, through: number): LoggedRecord {
    const text = row.pos <= through ? finalText(row) : row.body;
    return { id: sqliteRecordId(row.pos), record: parseLogged(text) };
  }
}

/**
 * A sequenced row's final text: stored as it is before schema 8, since then the pending text with the seq (and a v2
 * record's chain link) spliced in.
 */
function finalText(row: StoredRow): string {
  if (row.seq !== null) {
    if (row.seq !== row.pos - 1) throw new Error(`invariant: the record at pos ${row.pos} has seq ${row.seq}`);
    return row.body;
  }
  if (!isV2Text(row.body)) return sequencedText(row.body, row.pos - 1);
  if (row.cseq === null || row.prev === null) throw new Error(`invariant: the v2 record at pos ${row.pos} is sequenced without its chain link`);
  return sequencedText(row.body, row.pos - 1, { cseq: row.cseq, prev: row.prev.toString("hex") });
}

export class RecordWriter {
  private readonly acceptAtomically: (drafts: RecordDraft[]) => LoggedRecord[];

  constructor(db: Connection) {
    const insert = db.prepare<[string, string, string | null, string, string, string, string]>(
      "INSERT INTO records (company, type, receipt, at, subject, accepted_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    // Nothing here reads or writes a row other writers share: pos is the rowid SQLite's one writer allocates anyway.
    const acceptAll = (drafts: RecordDraft[]): LoggedRecord[] => {
      const acceptedAt = new Date().toISOString();
      return drafts.map((draft) => {
        const record = pendingRecord(draft);
        const body = pendingText(record);
        const receipt = receiptOf(record);
        const { lastInsertRowid } = onConstraint(
          "SQLITE_CONSTRAINT_UNIQUE",
          () => insert.run(record.company, record.type, receipt, record.at, record.subject, acceptedAt, body),
          () => new StoreConflictError("records", `receipt:${receipt}`),
        );
        return { id: sqliteRecordId(Number(lastInsertRowid)), record: parseLogged(body) };
      });
    };
    // Several records go in a savepoint of their own, all or none; one INSERT is atomic by itself.
    const acceptInSavepoint = db.transaction(acceptAll);
    this.acceptAtomically = (drafts) => (drafts.length === 1 ? acceptAll(drafts) : acceptInSavepoint(drafts));
  }

  append(guard: Guard): RecordLog["append"] {
    return async (drafts) => {
      guard();
      return this.acceptAtomically(drafts);
    };
  }
}

/** The values of pageStatement's placeholders, in its order. */
function pageParameters(filter: RecordFilter, cursor: readonly [string, number] | null): Array<string | number> {
  const { company, type, subject, from, to } = filter;
  return [company, type, subject, from, to, ...(cursor ?? [])].filter((value): value is string | number => value !== undefined);
}
