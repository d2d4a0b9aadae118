// The evidence log table: accept records without a seq, number them when the sequencer says, look them up by id,
// seq, receipt id or company, and page through a company's records by time, type and subject (migration 7's indexes).
// Sequenced records are a prefix of the table in pos order (the sequencer takes them in that order), so the records
// waiting for it are the rows after the last sequenced one's pos.
import type Database from "better-sqlite3";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, type LoggedRecord, type RecordDraft, type RecordFilter, type RecordLog, type Waiting } from "../port";
import { parseLogged, parseRecord, pendingRecord, pendingText, positionOf, receiptOf, sequencedText, sqliteRecordId } from "../records";
import type { Connection } from "./connection";
import { onConstraint } from "./constraint";
import type { Guard } from "./group-commit";

export type RecordReads = Omit<RecordLog, "append">;

interface LoggedRow {
  pos: number;
  body: string;
}

export class RecordReader {
  private readonly bySeq: Database.Statement<[number], string>;
  private readonly byPos: Database.Statement<[number], string>;
  private readonly byReceipt: Database.Statement<[string], LoggedRow>;
  private readonly fromSeq: Database.Statement<[number, number], string>;
  private readonly ofCompanyFromSeq: Database.Statement<[string, number, number], string>;
  private readonly nextSeq: Database.Statement<[], number>;
  private readonly lastSequencedPos: Database.Statement<[], number>;
  private readonly waitingCount: Database.Statement<[number], number>;
  private readonly firstWaiting: Database.Statement<[number], string>;
  /** One statement per filter shape (which of type, subject, from, to and the cursor are given), prepared on first use. */
  private readonly pages = new Map<string, Database.Statement<Array<string | number>, LoggedRow>>();

  constructor(private readonly db: Connection) {
    // "seq IS NOT NULL" in every condition on seq: it is what lets SQLite use the partial indexes on seq.
    this.bySeq = db.prepare<[number], string>("SELECT body FROM records WHERE seq = ? AND seq IS NOT NULL").pluck();
    this.byPos = db.prepare<[number], string>("SELECT body FROM records WHERE pos = ?").pluck();
    this.byReceipt = db.prepare<[string], LoggedRow>("SELECT pos, body FROM records WHERE receipt = ?");
    this.fromSeq = db.prepare<[number, number], string>("SELECT body FROM records WHERE seq >= ? AND seq IS NOT NULL ORDER BY seq LIMIT ?").pluck();
    this.ofCompanyFromSeq = db
      .prepare<[string, number, number], string>("SELECT body FROM records WHERE company = ? AND seq >= ? AND seq IS NOT NULL ORDER BY seq LIMIT ?")
      .pluck();
    // Sequenced records are gap-free from 0 (a trigger enforces it), so max + 1 is their count, read off the seq index.
    this.nextSeq = db.prepare<[], number>("SELECT coalesce(max(seq) + 1, 0) FROM records WHERE seq IS NOT NULL").pluck();
    this.lastSequencedPos = db.prepare<[], number>("SELECT coalesce((SELECT pos FROM records WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1), 0)").pluck();
    // A range of rowids: the waiting records only, never the log.
    this.waitingCount = db.prepare<[number], number>("SELECT count(*) FROM records WHERE pos > ?").pluck();
    this.firstWaiting = db.prepare<[number], string>("SELECT accepted_at FROM records WHERE pos > ? ORDER BY pos LIMIT 1").pluck();
  }

  reads(guard: Guard): RecordReads {
    return {
      byId: async (id) => {
        guard();
        const pos = positionOf(id);
        const body = pos === null ? undefined : this.byPos.get(pos);
        return body === undefined ? null : { id, record: parseLogged(body) };
      },
      get: async (seq) => {
        guard();
        const body = this.bySeq.get(seq);
        return body === undefined ? null : parseRecord(body);
      },
      getByReceipt: async (receiptId) => {
        guard();
        const row = this.byReceipt.get(receiptId);
        return row === undefined ? null : logged(row);
      },
      list: async ({ company, fromSeq = 0, limit }) => {
        guard();
        const bodies = company === undefined ? this.fromSeq.all(fromSeq, limit) : this.ofCompanyFromSeq.all(company, fromSeq, limit);
        return bodies.map(parseRecord);
      },
      page: async (filter, { after, limit }) => {
        guard();
        checkLimit(limit);
        const cursor = after === undefined ? null : decodeCursor(after, ["string", "number"] as const);
        const rows = this.pageStatement(filter, cursor !== null).all(...pageParameters(filter, cursor), limit + 1);
        const page = pageOf(rows.map(logged), limit, ({ id, record }) => [record.at, positionOf(id) ?? 0]);
        return page;
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

  private pageStatement(filter: RecordFilter, afterCursor: boolean): Database.Statement<Array<string | number>, LoggedRow> {
    const conditions = [
      "company = ?",
      ...(filter.type === undefined ? [] : ["type = ?"]),
      ...(filter.subject === undefined ? [] : ["subject = ?"]),
      ...(filter.from === undefined ? [] : ["at >= ?"]),
      ...(filter.to === undefined ? [] : ["at < ?"]),
      // A row value comparison: SQLite walks the (…, at, pos) index from the cursor on.
      ...(afterCursor ? ["(at, pos) > (?, ?)"] : []),
    ];
    const sql = `SELECT pos, body FROM records WHERE ${conditions.join(" AND ")} ORDER BY at, pos LIMIT ?`;
    let statement = this.pages.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<Array<string | number>, LoggedRow>(sql);
      this.pages.set(sql, statement);
    }
    return statement;
  }

  next(): number {
    return this.nextSeq.get() ?? 0;
  }

  /** The pos of the last sequenced record (0 when none): every record after it waits for the sequencer. */
  sequencedThrough(): number {
    return this.lastSequencedPos.get() ?? 0;
  }

  waiting(): Waiting {
    const after = this.sequencedThrough();
    return { count: this.waitingCount.get(after) ?? 0, oldestAcceptedAt: this.firstWaiting.get(after) ?? null };
  }
}

/** A waiting record as the sequencer reads it. */
interface WaitingRow {
  pos: number;
  seq: number | null;
  body: string;
}

export class RecordWriter {
  private readonly acceptAtomically: (drafts: RecordDraft[]) => LoggedRecord[];
  private readonly waitingRows: Database.Statement<[number, number], WaitingRow>;
  private readonly setSeq: Database.Statement<[number, string, number]>;

  constructor(
    db: Connection,
    private readonly reader: RecordReader,
  ) {
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
    this.waitingRows = db.prepare<[number, number], WaitingRow>("SELECT pos, seq, body FROM records WHERE pos > ? ORDER BY pos LIMIT ?");
    this.setSeq = db.prepare<[number, string, number]>("UPDATE records SET seq = ?, body = ? WHERE pos = ?");
  }

  append(guard: Guard): RecordLog["append"] {
    return async (drafts) => {
      guard();
      return this.acceptAtomically(drafts);
    };
  }

  /**
   * Inside the sequencer's transaction: numbers up to `max` waiting records in acceptance order from `firstSeq` and
   * stores their final texts, which it returns in seq order.
   */
  sequence(firstSeq: number, max: number): string[] {
    return this.waitingRows.all(this.reader.sequencedThrough(), max).map((row, i) => {
      if (row.seq !== null) throw new Error(`invariant: record at pos ${row.pos}, after the last sequenced one, has seq ${row.seq}`);
      const text = sequencedText(row.body, firstSeq + i);
      this.setSeq.run(firstSeq + i, text, row.pos);
      return text;
    });
  }
}

/** The values of pageStatement's placeholders, in its order. */
function pageParameters(filter: RecordFilter, cursor: readonly [string, number] | null): Array<string | number> {
  const { company, type, subject, from, to } = filter;
  return [company, type, subject, from, to, ...(cursor ?? [])].filter((value): value is string | number => value !== undefined);
}

function logged(row: LoggedRow): LoggedRecord {
  return { id: sqliteRecordId(row.pos), record: parseLogged(row.body) };
}
