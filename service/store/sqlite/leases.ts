// Named leases with an expiry: one UPSERT takes a free, expired or own lease, so two processes sharing the file
// (each behind SQLite's write lock) can never both hold it.
import type Database from "better-sqlite3";
import type { Connection } from "./connection";

export class LeaseWriter {
  private readonly take: Database.Statement<[string, string, number, number]>;
  private readonly give: Database.Statement<[string, string]>;

  constructor(db: Connection) {
    // On conflict the row is updated only when the WHERE holds; otherwise nothing changes and changes() is 0.
    this.take = db.prepare<[string, string, number, number]>(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
    );
    this.give = db.prepare<[string, string]>("DELETE FROM leases WHERE name = ? AND holder = ?");
  }

  acquire(name: string, holder: string, ttlMs: number, now: Date): boolean {
    const at = now.getTime();
    return this.take.run(name, holder, at + ttlMs, at).changes === 1;
  }

  release(name: string, holder: string): void {
    this.give.run(name, holder);
  }
}
