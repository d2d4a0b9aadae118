// The outbox table: entries added inside a transaction on the writer connection, and the deliverer's reads and marks,
// which go through the group-commit queue too, so an entry is seen only once its transaction is durable.
import type Database from "better-sqlite3";
import type { OutboxDraft, OutboxEntry, Outbox } from "../port";
import type { Connection } from "./connection";
import type { Guard } from "./group-commit";

interface OutboxRow {
  id: number;
  target: string;
  kind: string;
  payload: string;
  attempts: number;
  last_error: string | null;
}

export class OutboxWriter {
  private readonly insert: Database.Statement<[string, string, string]>;
  private readonly heads: Database.Statement<[number, number], OutboxRow>;
  private readonly delivered: Database.Statement<[string, number]>;
  private readonly failed: Database.Statement<[string, number, number]>;

  constructor(db: Connection) {
    this.insert = db.prepare<[string, string, string]>("INSERT INTO outbox (target, kind, payload) VALUES (?, ?, ?)");
    // A target's head is its lowest pending id (outbox_pending); only a head is ever handed out, so a target's
    // entries go one at a time, in id order, which is commit order on the one writer.
    this.heads = db.prepare<[number, number], OutboxRow>(
      `SELECT o.id, o.target, o.kind, o.payload, o.attempts, o.last_error FROM outbox o
       WHERE o.id IN (SELECT min(id) FROM outbox WHERE delivered_at IS NULL GROUP BY target) AND o.next_attempt_at <= ?
       ORDER BY o.id LIMIT ?`,
    );
    this.delivered = db.prepare<[string, number]>("UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL");
    this.failed = db.prepare<[string, number, number]>(
      "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL",
    );
  }

  add(guard: Guard): (entry: OutboxDraft) => Promise<string> {
    return async ({ target, kind, payload }) => {
      guard();
      return String(this.insert.run(target, kind, JSON.stringify(payload)).lastInsertRowid);
    };
  }

  next(now: Date, limit: number): OutboxEntry[] {
    return this.heads.all(now.getTime(), limit).map((row) => ({
      id: String(row.id),
      target: row.target,
      kind: row.kind,
      payload: JSON.parse(row.payload) as OutboxEntry["payload"],
      attempts: row.attempts,
      lastError: row.last_error,
    }));
  }

  markDelivered(id: string, at: Date): void {
    this.delivered.run(at.toISOString(), Number(id));
  }

  markFailed(id: string, error: string, retryAt: Date): void {
    this.failed.run(error, retryAt.getTime(), Number(id));
  }
}

/**
 * The Store's outbox. The deliverer's calls queue behind every transaction in flight and resolve only once their
 * group is synced, which makes durable whatever they read: an entry is never handed out before its commit is on disk.
 */
export function storeOutbox(writer: OutboxWriter, queued: <T>(work: (guard: Guard) => Promise<T>) => Promise<T>, add: Outbox["add"]): Outbox {
  return {
    add,
    next: (now, limit) => queued(async () => writer.next(now, limit)),
    markDelivered: (id, at) => queued(async () => writer.markDelivered(id, at)),
    markFailed: (id, error, retryAt) => queued(async () => writer.markFailed(id, error, retryAt)),
  };
}
