// The schema as an ordered list of migrations; later work appends to MIGRATIONS, never edits an applied one.
import type { Connection } from "./connection";

interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "documents, unique keys, records",
    sql: `
      -- created is the rowid: a new document sorts after every document that exists, so lists are oldest first.
      CREATE TABLE documents (
        created INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        company TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (kind, id)
      );
      CREATE INDEX documents_by_company ON documents (kind, company, created);

      CREATE TABLE unique_keys (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (kind, key),
        FOREIGN KEY (kind, id) REFERENCES documents (kind, id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX unique_keys_by_document ON unique_keys (kind, id);

      -- body is the record's canonical JSON, the exact bytes that are hashed; the other columns are for lookups.
      CREATE TABLE records (
        seq INTEGER PRIMARY KEY CHECK (seq >= 0),
        company TEXT NOT NULL,
        type TEXT NOT NULL,
        receipt TEXT UNIQUE,
        body TEXT NOT NULL
      );
      CREATE INDEX records_by_company ON records (company, seq);

      -- The log is append-only and gap-free whatever code writes to the file.
      CREATE TRIGGER records_contiguous BEFORE INSERT ON records
        WHEN NEW.seq IS NOT (SELECT coalesce(max(seq) + 1, 0) FROM records)
        BEGIN SELECT RAISE(ABORT, 'records: seq must be the next contiguous number'); END;
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
    `,
  },
  {
    version: 2,
    name: "batches, proofs, leases",
    sql: `
      -- A batch is the contiguous record range [first_seq, first_seq + count); its anchor columns are all set or all null.
      CREATE TABLE batches (
        id INTEGER PRIMARY KEY CHECK (id >= 0),
        first_seq INTEGER NOT NULL UNIQUE CHECK (first_seq >= 0),
        count INTEGER NOT NULL CHECK (count > 0),
        root TEXT NOT NULL CHECK (length(root) = 64),
        closed_at TEXT NOT NULL,
        chain_id INTEGER,
        contract TEXT,
        tx_hash TEXT,
        block_number INTEGER,
        anchored_at TEXT,
        CHECK ((chain_id IS NULL) = (contract IS NULL) AND (contract IS NULL) = (tx_hash IS NULL)
          AND (tx_hash IS NULL) = (block_number IS NULL) AND (block_number IS NULL) = (anchored_at IS NULL))
      );
      CREATE INDEX batches_unanchored ON batches (id) WHERE tx_hash IS NULL;

      CREATE TRIGGER batches_contiguous BEFORE INSERT ON batches
        WHEN NEW.id IS NOT (SELECT coalesce(max(id) + 1, 0) FROM batches)
          OR NEW.first_seq IS NOT coalesce((SELECT first_seq + count FROM batches ORDER BY id DESC LIMIT 1), 0)
          OR NEW.first_seq + NEW.count > (SELECT coalesce(max(seq) + 1, 0) FROM records)
        BEGIN SELECT RAISE(ABORT, 'batches: a batch must start where the last one ended and hold only stored records'); END;
      CREATE TRIGGER batches_fixed BEFORE UPDATE OF id, first_seq, count, root, closed_at ON batches
        BEGIN SELECT RAISE(ABORT, 'batches: only the anchor of a closed batch may change'); END;
      CREATE TRIGGER batches_no_delete BEFORE DELETE ON batches
        BEGIN SELECT RAISE(ABORT, 'batches are never deleted'); END;

      -- One row per batched record, its seq the rowid: leaf hash ‖ audit path, 32 bytes each. Kept apart from
      -- records so that the evidence table stays strictly append-only, never updated.
      CREATE TABLE proofs (
        seq INTEGER PRIMARY KEY CHECK (seq >= 0),
        proof BLOB NOT NULL CHECK (length(proof) >= 32 AND length(proof) % 32 = 0)
      );
      CREATE TRIGGER proofs_no_update BEFORE UPDATE ON proofs
        BEGIN SELECT RAISE(ABORT, 'proofs are written once'); END;
      CREATE TRIGGER proofs_no_delete BEFORE DELETE ON proofs
        BEGIN SELECT RAISE(ABORT, 'proofs are written once'); END;

      -- expires_at in milliseconds since the epoch; the lease is held while now < expires_at.
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "documents by member",
    // Grants, requests, API keys and reservations are looked up by member on every usage; without this a
    // lookup read and parsed every such document of the company. The expression must stay exactly the one
    // DocumentReader's by-member statement uses, or SQLite will not use the index.
    sql: `
      CREATE INDEX documents_by_member ON documents (kind, company, json_extract(data, '$.member'), created);
    `,
  },
  {
    version: 4,
    name: "documents expire",
    // expires is when a document may be purged, ISO 8601 UTC text like the documents' own times, so text order is
    // time order. The UPDATEs set it for the documents of that time by the rules of that time (kinds now declare
    // theirs in the schema, KindSpec.expires); older idempotency entries have no expiresAt: a day after they were made.
    sql: `
      ALTER TABLE documents ADD COLUMN expires TEXT;
      UPDATE documents SET expires = strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(data, '$.expiresAt'), '+1 hour') WHERE kind = 'reservations';
      UPDATE documents SET expires = coalesce(json_extract(data, '$.expiresAt'), strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(data, '$.createdAt'), '+1 day'))
        WHERE kind = 'idempotency';
      CREATE INDEX documents_by_expiry ON documents (expires) WHERE expires IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: "records by time, type and subject; indexed fields per kind",
    // A company's records in time order (at, then seq), whole or of one type or one subject (RecordLog.page). at and
    // subject are read from the stored body, so existing records are indexed as they are, with no rewrite of the
    // append-only table. documents_by_member gives way to the per-kind indexes the schema names (indexFields in
    // documents.ts, made on every open), which documents of other kinds do not pay for.
    sql: `
      ALTER TABLE records ADD COLUMN at TEXT GENERATED ALWAYS AS (json_extract(body, '$.at')) VIRTUAL;
      ALTER TABLE records ADD COLUMN subject TEXT GENERATED ALWAYS AS (json_extract(body, '$.subject')) VIRTUAL;
      CREATE INDEX records_by_time ON records (company, at, seq);
      CREATE INDEX records_by_type ON records (company, type, at, seq);
      CREATE INDEX records_by_subject ON records (company, subject, at, seq);
      DROP INDEX documents_by_member;
    `,
  },
  {
    version: 6,
    name: "outbox",
    // Side effects waiting for delivery (port.ts Outbox). AUTOINCREMENT: ids are never reused, so a receiver may drop
    // a repeated delivery by id. next_attempt_at in milliseconds since the epoch, 0 for "now".
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        target TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER NOT NULL DEFAULT 0,
        delivered_at TEXT
      );
      CREATE INDEX outbox_pending ON outbox (target, id) WHERE delivered_at IS NULL;
    `,
  },
  {
    version: 7,
    name: "records accepted without a seq",
    // Writers accept records without a position (RecordLog); the sequencer numbers them in batches. The table is
    // rebuilt: pos, the rowid, is the acceptance order (SQLite's one writer allocates it, so it is no counter writers
    // share), and a record's id is derived from it (records.ts sqliteRecordId), so no index of random ids is kept. seq is
    // null until sequenced, then set once, to the next contiguous number, together with the final body; the sequencer
    // takes records in pos order, so sequenced records are always a prefix of the table and the waiting ones the rows
    // after the last sequenced pos, found without an index of their own. The indexes on seq are partial (a record
    // enters them when sequenced, not when accepted), and at and subject become stored columns, so that sequencing
    // (which rewrites body) leaves the time, type and subject indexes untouched. Every subquery on seq says
    // "seq IS NOT NULL", which is what lets SQLite answer it from the partial index. Records sequenced before keep their
    // seq, at pos seq + 1. The batches trigger that reads records is dropped for the rebuild and made again.
    sql: `
      DROP TRIGGER batches_contiguous;
      CREATE TABLE records_accepted (
        pos INTEGER PRIMARY KEY,
        seq INTEGER CHECK (seq >= 0),
        company TEXT NOT NULL,
        type TEXT NOT NULL,
        receipt TEXT UNIQUE,
        at TEXT NOT NULL,
        subject TEXT NOT NULL,
        accepted_at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      INSERT INTO records_accepted (pos, seq, company, type, receipt, at, subject, accepted_at, body)
        SELECT seq + 1, seq, company, type, receipt, coalesce(at, ''), coalesce(subject, ''), coalesce(at, ''), body FROM records ORDER BY seq;
      DROP TABLE records;
      ALTER TABLE records_accepted RENAME TO records;
      CREATE UNIQUE INDEX records_by_seq ON records (seq) WHERE seq IS NOT NULL;
      CREATE INDEX records_by_company ON records (company, seq) WHERE seq IS NOT NULL;
      CREATE INDEX records_by_time ON records (company, at, pos);
      CREATE INDEX records_by_type ON records (company, type, at, pos);
      CREATE INDEX records_by_subject ON records (company, subject, at, pos);

      CREATE TRIGGER records_accepted_without_seq BEFORE INSERT ON records
        WHEN NEW.seq IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'records: a record is accepted without a seq'); END;
      -- Sequencing is the one update: seq from null to the next contiguous number, in pos order, with the body.
      CREATE TRIGGER records_sequenced_once BEFORE UPDATE ON records
        WHEN OLD.seq IS NOT NULL
          OR NEW.seq IS NOT (SELECT coalesce(max(seq) + 1, 0) FROM records WHERE seq IS NOT NULL)
          OR NEW.pos <= coalesce((SELECT pos FROM records WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1), 0)
          OR NEW.pos IS NOT OLD.pos OR NEW.company IS NOT OLD.company OR NEW.type IS NOT OLD.type
          OR NEW.receipt IS NOT OLD.receipt OR NEW.at IS NOT OLD.at OR NEW.subject IS NOT OLD.subject
          OR NEW.accepted_at IS NOT OLD.accepted_at
        BEGIN SELECT RAISE(ABORT, 'records: a record is sequenced once, in acceptance order, with the next contiguous seq, and never changed'); END;
      CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records are never deleted'); END;

      CREATE TRIGGER batches_contiguous BEFORE INSERT ON batches
        WHEN NEW.id IS NOT (SELECT coalesce(max(id) + 1, 0) FROM batches)
          OR NEW.first_seq IS NOT coalesce((SELECT first_seq + count FROM batches ORDER BY id DESC LIMIT 1), 0)
          OR NEW.first_seq + NEW.count > (SELECT coalesce(max(seq) + 1, 0) FROM records WHERE seq IS NOT NULL)
        BEGIN SELECT RAISE(ABORT, 'batches: a batch must start where the last one ended and hold only stored records'); END;
    `,
  },
  {
    version: 8,
    name: "records sequenced by their batch, never updated",
    // Schema 7's sequencer updated every record it numbered (seq and the final body), and SQLite writes an updated
    // row's whole page to the WAL again: sequencing cost as much disk as accepting. Positions are contiguous from 1 and
    // the sequencer takes records in position order, so a record's seq is always pos − 1: from now on a batch's end is
    // what makes its records sequenced, the table is append-only again, and a record's final text is its stored
    // pending text with the seq spliced in when read (records.ts). Records sequenced before keep their seq and final
    // body. The check below refuses a file where that does not hold (it cannot, short of editing the file by hand).
    // The company index follows pos, not seq, which new records no longer store.
    sql: `
      CREATE TEMP TABLE schema_8_check (ok INTEGER NOT NULL CHECK (ok = 1));
      INSERT INTO schema_8_check SELECT
        (SELECT count(*) FROM records) = (SELECT coalesce(max(pos), 0) FROM records)
        AND NOT EXISTS (SELECT 1 FROM records WHERE seq IS NOT NULL AND seq <> pos - 1);
      DROP TABLE schema_8_check;

      DROP TRIGGER records_sequenced_once;
      CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only'); END;
      -- Positions stay 1, 2, 3, …: with no deletes, a row may only go right after the last one.
      CREATE TRIGGER records_contiguous AFTER INSERT ON records
        WHEN NEW.pos <> 1 AND NOT EXISTS (SELECT 1 FROM records WHERE pos = NEW.pos - 1)
        BEGIN SELECT RAISE(ABORT, 'records: positions must be contiguous'); END;

      DROP INDEX records_by_company;
      CREATE INDEX records_by_company ON records (company, pos);

      DROP TRIGGER batches_contiguous;
      CREATE TRIGGER batches_contiguous BEFORE INSERT ON batches
        WHEN NEW.id IS NOT (SELECT coalesce(max(id) + 1, 0) FROM batches)
          OR NEW.first_seq IS NOT coalesce((SELECT first_seq + count FROM batches ORDER BY id DESC LIMIT 1), 0)
          OR NEW.first_seq + NEW.count > (SELECT coalesce(max(pos), 0) FROM records)
        BEGIN SELECT RAISE(ABORT, 'batches: a batch must start where the last one ended and hold only stored records'); END;
    `,
  },
  {
    version: 9,
    name: "record v2: each company's chain",
    // Record v2 carries cseq and prev (DESIGN.md "Audit"), which the sequencer gives each record with its seq. The
    // record table stays append-only: they are kept beside the record's proof (written by the same step anyway) and
    // spliced into the stored pending text when read, as seq is. company_heads holds each company's next cseq and last
    // leaf hash, written by the sequencer in the batch's transaction; a company with no row yet (its records were all
    // sequenced before this version) gets one from its sequenced records when the sequencer first meets it.
    sql: `
      ALTER TABLE proofs ADD COLUMN cseq INTEGER CHECK (cseq >= 0);
      ALTER TABLE proofs ADD COLUMN prev BLOB CHECK (length(prev) = 32);
      CREATE TABLE company_heads (
        company TEXT PRIMARY KEY,
        next INTEGER NOT NULL CHECK (next >= 0),
        leaf BLOB NOT NULL CHECK (length(leaf) = 32)
      ) WITHOUT ROWID;
    `,
  },
];

/** Applies the migrations the file lacks, each in its own transaction; refuses a file from a newer build. */
export function migrate(db: Connection): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations").pluck();
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  const current = applied.get() as number;
  if (current > latest) throw new Error(`database schema version ${current} is newer than this build knows (${latest})`);
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  // The version is read again under the write lock: another process may be migrating the same file.
  const apply = db.transaction((migration: Migration) => {
    if ((applied.get() as number) >= migration.version) return;
    db.exec(migration.sql);
    record.run(migration.version, migration.name, new Date().toISOString());
  });
  for (const migration of MIGRATIONS) apply.immediate(migration);
}
