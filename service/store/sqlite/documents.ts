// Documents of every kind in one table, their unique keys in another: reads on any connection, writes on the writer.
import { isDeepStrictEqual } from "node:util";
import type Database from "better-sqlite3";
import { KEYLESS_KINDS, PURGE_AFTER, StoreConflictError, StoreNotFoundError, purgeTimeOf, type Documents, type Kind, type Repository } from "../port";
import { uniqueKeysOf } from "../repositories";
import type { Connection } from "./connection";
import { onConstraint } from "./constraint";
import type { Guard } from "./group-commit";

type Owned = { id: string; company: string };
export type DocumentReads<T extends Owned> = Pick<Repository<T>, "get" | "getByKey" | "list">;
export type DocumentWrites<T extends Owned> = Pick<Repository<T>, "insert" | "update" | "delete">;

/** Uses the documents_by_member index (migration 3), whose expression it must repeat exactly. */
export const LIST_BY_MEMBER_SQL = "SELECT data FROM documents WHERE kind = ? AND company = ? AND json_extract(data, '$.member') = ? ORDER BY created";

export class DocumentReader {
  private readonly byId: Database.Statement<[Kind, string], string>;
  private readonly byKey: Database.Statement<[Kind, string], string>;
  private readonly byCompany: Database.Statement<[Kind, string], string>;
  private readonly byMember: Database.Statement<[Kind, string, string], string>;

  constructor(db: Connection) {
    this.byId = db.prepare<[Kind, string], string>("SELECT data FROM documents WHERE kind = ? AND id = ?").pluck();
    this.byKey = db
      .prepare<[Kind, string], string>(
        "SELECT d.data FROM unique_keys k JOIN documents d ON d.kind = k.kind AND d.id = k.id WHERE k.kind = ? AND k.key = ?",
      )
      .pluck();
    this.byCompany = db
      .prepare<[Kind, string], string>("SELECT data FROM documents WHERE kind = ? AND company = ? ORDER BY created")
      .pluck();
    this.byMember = db.prepare<[Kind, string, string], string>(LIST_BY_MEMBER_SQL).pluck();
  }

  reads<K extends Kind>(kind: K, guard: Guard): DocumentReads<Documents[K]> {
    type T = Documents[K];
    return {
      get: async (id) => {
        guard();
        return parseOrNull<T>(this.byId.get(kind, id));
      },
      getByKey: async (key) => {
        guard();
        return parseOrNull<T>(this.byKey.get(kind, key));
      },
      list: async (company, where = {}) => {
        guard();
        const member = (where as { member?: unknown }).member;
        const rows = typeof member === "string" ? this.byMember.all(kind, company, member) : this.byCompany.all(kind, company);
        return rows
          .map((data) => parseDocument<T>(data))
          .filter((doc) => matches(doc, where));
      },
    };
  }
}

export class DocumentWriter {
  private readonly insertAtomically: (kind: Kind, id: string, company: string, data: string, expires: string | null, keys: string[]) => void;
  private readonly updateAtomically: (kind: Kind, id: string, company: string, data: string, expires: string | null, keys: string[]) => void;
  private readonly updateKeyless: (kind: Kind, id: string, company: string, data: string, expires: string | null) => void;
  private readonly deleteDocument: Database.Statement<[Kind, string]>;

  constructor(db: Connection) {
    const insertDocument = db.prepare<[Kind, string, string, string, string | null]>("INSERT INTO documents (kind, id, company, data, expires) VALUES (?, ?, ?, ?, ?)");
    // Setting company, even to the value it has, rewrites the document's entry in documents_by_company; a
    // document's company practically never changes, so the data-only statement goes first. Likewise expires,
    // indexed: only the kinds that expire (PURGE_AFTER) set it.
    const updateData = db.prepare<[string, Kind, string, string]>("UPDATE documents SET data = ? WHERE kind = ? AND id = ? AND company = ?");
    const updateDocument = db.prepare<[string, string, Kind, string]>("UPDATE documents SET company = ?, data = ? WHERE kind = ? AND id = ?");
    const updateExpiring = db.prepare<[string, string, string | null, Kind, string]>("UPDATE documents SET company = ?, data = ?, expires = ? WHERE kind = ? AND id = ?");
    const insertKey = db.prepare<[Kind, string, string]>("INSERT INTO unique_keys (kind, key, id) VALUES (?, ?, ?)");
    const deleteKeys = db.prepare<[Kind, string]>("DELETE FROM unique_keys WHERE kind = ? AND id = ?");
    const claimKeys = (kind: Kind, id: string, keys: string[]): void => {
      for (const key of keys) onConstraint("SQLITE_CONSTRAINT_PRIMARYKEY", () => insertKey.run(kind, key, id), () => new StoreConflictError(kind, key));
    };
    const replace = (kind: Kind, id: string, company: string, data: string, expires: string | null): void => {
      const changed = PURGE_AFTER[kind]
        ? updateExpiring.run(company, data, expires, kind, id).changes > 0
        : updateData.run(data, kind, id, company).changes > 0 || updateDocument.run(company, data, kind, id).changes > 0;
      if (!changed) throw new StoreNotFoundError(kind, id);
    };
    // Each write runs in its own savepoint (better-sqlite3 nests db.transaction that way), so a conflict on the
    // second key leaves no trace of the first even when the caller's fn catches the error and carries on.
    this.insertAtomically = db.transaction((kind: Kind, id: string, company: string, data: string, expires: string | null, keys: string[]) => {
      onConstraint("SQLITE_CONSTRAINT_UNIQUE", () => insertDocument.run(kind, id, company, data, expires), () => new StoreConflictError(kind, `id:${id}`));
      claimKeys(kind, id, keys);
    });
    this.updateAtomically = db.transaction((kind: Kind, id: string, company: string, data: string, expires: string | null, keys: string[]) => {
      replace(kind, id, company, data, expires);
      deleteKeys.run(kind, id);
      claimKeys(kind, id, keys);
    });
    // A kind without unique keys is updated by one statement, atomic by itself: no savepoint, no key rows.
    this.updateKeyless = replace;
    // Its unique keys go with it: ON DELETE CASCADE.
    this.deleteDocument = db.prepare<[Kind, string]>("DELETE FROM documents WHERE kind = ? AND id = ?");
  }

  writes<K extends Kind>(kind: K, guard: Guard): DocumentWrites<Documents[K]> {
    const keyless = KEYLESS_KINDS.has(kind);
    return {
      insert: async (doc) => {
        guard();
        this.insertAtomically(kind, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(kind, doc), uniqueKeysOf(kind, doc));
      },
      update: async (doc) => {
        guard();
        if (keyless) this.updateKeyless(kind, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(kind, doc));
        else this.updateAtomically(kind, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(kind, doc), uniqueKeysOf(kind, doc));
      },
      delete: async (id) => {
        guard();
        this.deleteDocument.run(kind, id);
      },
    };
  }
}

/** Deletes expired documents (their unique keys cascade) in chunks, so no one statement holds the write lock long. */
export class DocumentPurger {
  private readonly deleteChunk: Database.Statement<[string, number]>;

  constructor(db: Connection) {
    this.deleteChunk = db.prepare<[string, number]>(
      "DELETE FROM documents WHERE created IN (SELECT created FROM documents WHERE expires IS NOT NULL AND expires <= ? LIMIT ?)",
    );
  }

  /** Deletes up to `limit` documents whose purge time is at or before `now`; returns how many. */
  purge(now: Date, limit: number): number {
    return this.deleteChunk.run(now.toISOString(), limit).changes;
  }
}

/** Documents are written only by DocumentWriter, from values of their kind's type. */
function parseDocument<T>(data: string): T {
  return JSON.parse(data) as T;
}

function parseOrNull<T>(data: string | undefined): T | null {
  return data === undefined ? null : parseDocument<T>(data);
}

/** Equality on every field `where` names; a field given as undefined is not a condition. */
function matches(doc: object, where: object): boolean {
  const fields = doc as Record<string, unknown>;
  return Object.entries(where).every(([field, value]) => value === undefined || isDeepStrictEqual(fields[field], value));
}
