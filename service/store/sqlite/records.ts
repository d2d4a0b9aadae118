// The evidence log table: append with the next contiguous seq, look up by seq, receipt id or company, page through a
// company's records by time, type and subject (migration 5's indexes).
import type Database from "better-sqlite3";
import { canonicalJson, type EvidenceRecord } from "../../evidence";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, type RecordDraft, type RecordFilter, type RecordLog } from "../port";
import { parseRecord, receiptOf, recordAt } from "../records";
import type { Connection } from "./connection";
import { onConstraint } from "./constraint";
import type { Guard } from "./group-commit";

export type RecordReads = Omit<RecordLog, "append">;

export class RecordReader {
  private readonly bySeq: Database.Statement<[number], string>;
  private readonly byReceipt: Database.Statement<[string], string>;
  private readonly fromSeq: Database.Statement<[number, number], string>;
  private readonly ofCompanyFromSeq: Database.Statement<[string, number, number], string>;
  private readonly nextSeq: Database.Statement<[], number>;
  /** One statement per filter shape (which of type, subject, from, to and the cursor are given), prepared on first use. */
  private readonly pages = new Map<string, Database.Statement<Array<string | number>, string>>();

  constructor(private readonly db: Connection) {
    this.bySeq = db.prepare<[number], string>("SELECT body FROM records WHERE seq = ?").pluck();
    this.byReceipt = db.prepare<[string], string>("SELECT body FROM records WHERE receipt = ?").pluck();
    this.fromSeq = db.prepare<[number, number], string>("SELECT body FROM records WHERE seq >= ? ORDER BY seq LIMIT ?").pluck();
    this.ofCompanyFromSeq = db
      .prepare<[string, number, number], string>("SELECT body FROM records WHERE company = ? AND seq >= ? ORDER BY seq LIMIT ?")
      .pluck();
    // The log is gap-free from 0 (a trigger enforces it), so max + 1 is the count without a table scan.
    this.nextSeq = db.prepare<[], number>("SELECT coalesce(max(seq) + 1, 0) FROM records").pluck();
  }

  reads(guard: Guard): RecordReads {
    return {
      get: async (seq) => {
        guard();
        return parseOrNull(this.bySeq.get(seq));
      },
      getByReceipt: async (receiptId) => {
        guard();
        return parseOrNull(this.byReceipt.get(receiptId));
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
        const bodies = this.pageStatement(filter, cursor !== null).all(...pageParameters(filter, cursor), limit + 1);
        return pageOf(bodies.map(parseRecord), limit, (record) => [record.at, record.seq]);
      },
      count: async () => {
        guard();
        return this.next();
      },
    };
  }

  private pageStatement(filter: RecordFilter, afterCursor: boolean): Database.Statement<Array<string | number>, string> {
    const conditions = [
      "company = ?",
      ...(filter.type === undefined ? [] : ["type = ?"]),
      ...(filter.subject === undefined ? [] : ["subject = ?"]),
      ...(filter.from === undefined ? [] : ["at >= ?"]),
      ...(filter.to === undefined ? [] : ["at < ?"]),
      // A row value comparison: SQLite walks the (…, at, seq) index from the cursor on.
      ...(afterCursor ? ["(at, seq) > (?, ?)"] : []),
    ];
    // Only the body is read: the cursor's at and seq come from the parsed record, not from json_extract again.
    const sql = `SELECT body FROM records WHERE ${conditions.join(" AND ")} ORDER BY at, seq LIMIT ?`;
    let statement = this.pages.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<Array<string | number>, string>(sql).pluck();
      this.pages.set(sql, statement);
    }
    return statement;
  }

  next(): number {
    return this.nextSeq.get() ?? 0;
  }
}

export class RecordWriter {
  private readonly appendAtomically: (drafts: RecordDraft[]) => EvidenceRecord[];

  constructor(db: Connection, reader: RecordReader) {
    const insert = db.prepare<[number, string, string, string | null, string]>(
      "INSERT INTO records (seq, company, type, receipt, body) VALUES (?, ?, ?, ?, ?)",
    );
    // seq comes from the table inside the write transaction, so a rolled-back append leaves no hole behind it.
    const appendAll = (drafts: RecordDraft[]): EvidenceRecord[] => {
      const first = reader.next();
      const records = drafts.map((draft, i) => recordAt(first + i, draft));
      const bodies = records.map((record) => canonicalJson(record));
      records.forEach((record, i) => {
        const receipt = receiptOf(record);
        onConstraint(
          "SQLITE_CONSTRAINT_UNIQUE",
          () => insert.run(record.seq, record.company, record.type, receipt, bodies[i]),
          () => new StoreConflictError("records", `receipt:${receipt}`),
        );
      });
      return bodies.map(parseRecord);
    };
    // Several records go in a savepoint of their own, all or none; one INSERT is atomic by itself.
    const appendInSavepoint = db.transaction(appendAll);
    this.appendAtomically = (drafts) => (drafts.length === 1 ? appendAll(drafts) : appendInSavepoint(drafts));
  }

  append(guard: Guard): RecordLog["append"] {
    return async (drafts) => {
      guard();
      return this.appendAtomically(drafts);
    };
  }
}

/** The values of pageStatement's placeholders, in its order. */
function pageParameters(filter: RecordFilter, cursor: readonly [string, number] | null): Array<string | number> {
  const { company, type, subject, from, to } = filter;
  return [company, type, subject, from, to, ...(cursor ?? [])].filter((value): value is string | number => value !== undefined);
}

function parseOrNull(body: string | undefined): EvidenceRecord | null {
  return body === undefined ? null : parseRecord(body);
}
