// Documents of every kind in one table, their unique keys in another: reads on any connection, writes on the writer.
// Each indexed field of a kind has a partial expression index of its own (see indexFields), built from the schema.
import { isDeepStrictEqual } from "node:util";
import type Database from "better-sqlite3";
import { checkLimit, decodeCursor, pageOf } from "../cursor";
import { StoreConflictError, StoreNotFoundError, type Page, type PageRequest, type Repository } from "../port";
import { isKeyless, purgeTimeOf, uniqueKeysOf, type KindSpec, type Owned, type Schema } from "../schema";
import type { Connection } from "./connection";
import { onConstraint } from "./constraint";
import type { Guard } from "./group-commit";

export type DocumentReads = Pick<Repository<Owned>, "get" | "getByKey" | "list" | "page">;
export type DocumentWrites = Pick<Repository<Owned>, "insert" | "update" | "delete">;

interface Row {
  created: number;
  data: string;
}

/** The index of one kind's field: partial on the kind, so documents of other kinds cost it nothing. */
function indexName(kind: string, field: string): string {
  return `documents_${kind}_by_${field}`;
}

/** The statement a field's index serves; the kind is a literal, which is what lets SQLite use a partial index. */
export function listByFieldSql(kind: string, field: string): string {
  return `SELECT created, data FROM documents WHERE kind = '${kind}' AND company = ? AND json_extract(data, '$.${field}') = ? AND created > ? ORDER BY created`;
}

/** Creates the index of every indexed field the schema names, under the write lock; safe on every open. */
export function indexFields(db: Connection, schema: Schema): void {
  const create = db.transaction(() => {
    for (const [kind, spec] of Object.entries(schema)) {
      for (const field of spec.indexed) {
        db.exec(`CREATE INDEX IF NOT EXISTS ${indexName(kind, field)} ON documents (company, json_extract(data, '$.${field}'), created) WHERE kind = '${kind}'`);
      }
    }
  });
  create.immediate();
}

export class DocumentReader {
  /** Per kind, its reads, built once: a transaction's repositories only add its guard (see reads). */
  private readonly kinds = new Map<string, KindReader>();
  private readonly statements: Statements;

  constructor(db: Connection, schema: Schema) {
    const statements: Statements = {
      byId: db.prepare<[string, string], string>("SELECT data FROM documents WHERE kind = ? AND id = ?").pluck(),
      byKey: db
        .prepare<[string, string], string>(
          "SELECT d.data FROM unique_keys k JOIN documents d ON d.kind = k.kind AND d.id = k.id WHERE k.kind = ? AND k.key = ?",
        )
        .pluck(),
      byCompany: db.prepare<[string, string, number], Row>("SELECT created, data FROM documents WHERE kind = ? AND company = ? AND created > ? ORDER BY created"),
    };
    for (const [kind, spec] of Object.entries(schema)) {
      const byField = spec.indexed.map((field): [string, FieldStatement] => [field, db.prepare<[string, string | number, number], Row>(listByFieldSql(kind, field))]);
      this.kinds.set(kind, new KindReader(kind, statements, byField));
    }
    this.statements = statements;
  }

  /**
   * A transaction builds the repositories of every kind, so this is on the path of every write: it allocates the
   * four guarded methods and nothing else.
   */
  reads(kind: string, guard: Guard): DocumentReads {
    let reader = this.kinds.get(kind);
    if (reader === undefined) {
      reader = new KindReader(kind, this.statements, []);
      this.kinds.set(kind, reader);
    }
    const of = reader;
    return {
      get: async (id) => {
        guard();
        return of.get(id);
      },
      getByKey: async (key) => {
        guard();
        return of.getByKey(key);
      },
      list: async (company, where = {}) => {
        guard();
        return of.list(company, where);
      },
      page: async (company, where, page) => {
        guard();
        return of.page(company, where, page);
      },
    };
  }
}

type FieldStatement = Database.Statement<[string, string | number, number], Row>;

interface Statements {
  byId: Database.Statement<[string, string], string>;
  byKey: Database.Statement<[string, string], string>;
  byCompany: Database.Statement<[string, string, number], Row>;
}

/** The reads of one kind, without a guard. */
class KindReader {
  constructor(
    private readonly kind: string,
    private readonly statements: Statements,
    /** The statement of each indexed field, in the schema's order. */
    private readonly byField: ReadonlyArray<[string, FieldStatement]>,
  ) {}

  get(id: string): Owned | null {
    return parseOrNull(this.statements.byId.get(this.kind, id));
  }

  getByKey(key: string): Owned | null {
    return parseOrNull(this.statements.byKey.get(this.kind, key));
  }

  list(company: string, where: object): Owned[] {
    const found: Owned[] = [];
    for (const row of this.scan(where, company, 0, "all")) {
      const doc = parseDocument(row.data);
      if (matches(doc, where)) found.push(doc);
    }
    return found;
  }

  page(company: string, where: object, { after, limit }: PageRequest): Page<Owned> {
    checkLimit(limit);
    const [from] = after === undefined ? [0] : decodeCursor(after, ["number"] as const);
    const rows: Array<{ created: number; doc: Owned }> = [];
    // Leaving the loop early ends the statement's iteration, so no more rows than the page needs are read.
    for (const row of this.scan(where, company, from, "iterate")) {
      const doc = parseDocument(row.data);
      if (matches(doc, where) && rows.push({ created: row.created, doc }) > limit) break;
    }
    const page = pageOf(rows, limit, (row) => [row.created]);
    return { items: page.items.map((row) => row.doc), next: page.next };
  }

  /**
   * Rows of one company in creation order after `after`, through the first indexed field `where` gives a string or
   * number for (what json_extract returns compares equal to it), else through all the kind's rows of the company.
   * `all` reads them at once (a list reads every row anyway), `iterate` lazily (a page stops when it is full).
   */
  private scan(where: object, company: string, after: number, how: "all" | "iterate"): Iterable<Row> {
    for (const [field, statement] of this.byField) {
      const value: unknown = Reflect.get(where, field);
      if (typeof value === "string" || typeof value === "number") return how === "all" ? statement.all(company, value, after) : statement.iterate(company, value, after);
    }
    const { byCompany } = this.statements;
    return how === "all" ? byCompany.all(this.kind, company, after) : byCompany.iterate(this.kind, company, after);
  }
}

export class DocumentWriter {
  private readonly insertAtomically: (kind: string, id: string, company: string, data: string, expires: string | null, keys: string[]) => void;
  private readonly replace: (kind: string, expiring: boolean, id: string, company: string, data: string, expires: string | null) => void;
  private readonly updateAtomically: (kind: string, expiring: boolean, id: string, company: string, data: string, expires: string | null, held: string[], keys: string[]) => void;
  private readonly keysHeld: Database.Statement<[string, string], string>;
  private readonly deleteDocument: Database.Statement<[string, string]>;

  constructor(db: Connection) {
    const insertDocument = db.prepare<[string, string, string, string, string | null]>("INSERT INTO documents (kind, id, company, data, expires) VALUES (?, ?, ?, ?, ?)");
    // Setting company, even to the value it has, rewrites the document's entry in documents_by_company; a
    // document's company practically never changes, so the data-only statement goes first. Likewise expires,
    // indexed: only the kinds that expire set it.
    const updateData = db.prepare<[string, string, string, string]>("UPDATE documents SET data = ? WHERE kind = ? AND id = ? AND company = ?");
    const updateDocument = db.prepare<[string, string, string, string]>("UPDATE documents SET company = ?, data = ? WHERE kind = ? AND id = ?");
    const updateExpiring = db.prepare<[string, string, string | null, string, string]>("UPDATE documents SET company = ?, data = ?, expires = ? WHERE kind = ? AND id = ?");
    const insertKey = db.prepare<[string, string, string]>("INSERT INTO unique_keys (kind, key, id) VALUES (?, ?, ?)");
    const deleteKey = db.prepare<[string, string]>("DELETE FROM unique_keys WHERE kind = ? AND key = ?");
    this.keysHeld = db.prepare<[string, string], string>("SELECT key FROM unique_keys WHERE kind = ? AND id = ?").pluck();
    const claimKeys = (kind: string, id: string, keys: string[]): void => {
      for (const key of keys) onConstraint("SQLITE_CONSTRAINT_PRIMARYKEY", () => insertKey.run(kind, key, id), () => new StoreConflictError(kind, key));
    };
    this.replace = (kind, expiring, id, company, data, expires) => {
      const changed = expiring
        ? updateExpiring.run(company, data, expires, kind, id).changes > 0
        : updateData.run(data, kind, id, company).changes > 0 || updateDocument.run(company, data, kind, id).changes > 0;
      if (!changed) throw new StoreNotFoundError(kind, id);
    };
    // Each write runs in its own savepoint (better-sqlite3 nests db.transaction that way), so a conflict on the
    // second key leaves no trace of the first even when the caller's fn catches the error and carries on.
    this.insertAtomically = db.transaction((kind: string, id: string, company: string, data: string, expires: string | null, keys: string[]) => {
      onConstraint("SQLITE_CONSTRAINT_UNIQUE", () => insertDocument.run(kind, id, company, data, expires), () => new StoreConflictError(kind, `id:${id}`));
      claimKeys(kind, id, keys);
    });
    // Only the keys that change are deleted and claimed: rewriting unchanged ones cost a delete and an insert in
    // unique_keys and both its indexes on every update (measured: about a tenth of a device stamp's event-loop time).
    this.updateAtomically = db.transaction((kind: string, expiring: boolean, id: string, company: string, data: string, expires: string | null, held: string[], keys: string[]) => {
      this.replace(kind, expiring, id, company, data, expires);
      const wanted = new Set(keys);
      const holding = new Set(held);
      for (const key of held) if (!wanted.has(key)) deleteKey.run(kind, key);
      claimKeys(kind, id, keys.filter((key) => !holding.has(key)));
    });
    // Its unique keys go with it: ON DELETE CASCADE.
    this.deleteDocument = db.prepare<[string, string]>("DELETE FROM documents WHERE kind = ? AND id = ?");
  }

  writes(kind: string, spec: KindSpec<Owned>, guard: Guard): DocumentWrites {
    const keyless = isKeyless(spec);
    const expiring = spec.expires !== null;
    return {
      insert: async (doc) => {
        guard();
        this.insertAtomically(kind, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(spec, doc), uniqueKeysOf(spec, doc));
      },
      update: async (doc) => {
        guard();
        // A kind without unique keys is updated by one statement, atomic by itself: no savepoint, no key rows.
        if (keyless) {
          this.replace(kind, expiring, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(spec, doc));
          return;
        }
        const keys = uniqueKeysOf(spec, doc);
        const held = this.keysHeld.all(kind, doc.id);
        // Unchanged keys (nearly every update): one statement, atomic by itself, as for a kind without keys.
        if (sameKeys(held, keys)) this.replace(kind, expiring, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(spec, doc));
        else this.updateAtomically(kind, expiring, doc.id, doc.company, JSON.stringify(doc), purgeTimeOf(spec, doc), held, keys);
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

/**
 * Whether a document's keys are the ones it holds, in any order. Through a Set: an authorization holds a key per
 * reserved receipt id (51 for 50 copies), and comparing with includes cost 51 × 51 string comparisons on each stamp
 * that rewrote it (measured: ~5% of a stamp's event-loop time in bench:devices).
 */
function sameKeys(held: readonly string[], keys: readonly string[]): boolean {
  if (held.length !== keys.length) return false;
  if (held.length <= 4) return held.every((key) => keys.includes(key));
  const wanted = new Set(keys);
  return held.every((key) => wanted.has(key));
}

/** Documents are written only by DocumentWriter, from values of their kind's type. */
function parseDocument(data: string): Owned {
  return JSON.parse(data) as Owned;
}

function parseOrNull(data: string | undefined): Owned | null {
  return data === undefined ? null : parseDocument(data);
}

/**
 * Equality on every field `where` names; a field given as undefined is not a condition. Primitives compare with
 * Object.is, as isDeepStrictEqual compares them, without its call on every row of a list.
 */
function matches(doc: object, where: object): boolean {
  const fields = doc as Record<string, unknown>;
  for (const field in where) {
    if (!Object.prototype.hasOwnProperty.call(where, field)) continue;
    const value: unknown = (where as Record<string, unknown>)[field];
    if (value === undefined) continue;
    const equal = typeof value === "object" && value !== null ? isDeepStrictEqual(fields[field], value) : Object.is(fields[field], value);
    if (!equal) return false;
  }
  return true;
}
