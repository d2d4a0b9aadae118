// What a store is opened with: its document kinds, each with its unique keys, indexed fields and expiry. The store
// knows no kind by name; the domain (domain/schema.ts) and http (http/idempotency.ts) each supply theirs.
import type { Store } from "./port";

/** Every document has an id, unique in its kind, and belongs to one company. */
export interface Owned {
  id: string;
  company: string;
}

declare const DOCUMENT: unique symbol;

export interface KindSpec<T extends Owned> {
  /** Carries the document type; never set. */
  readonly [DOCUMENT]?: T;
  /** What one document is called in messages ("API key"). */
  readonly label: string;
  /**
   * Strings unique across the kind's documents (`creditCode:<code>`): inserting or updating a document whose key
   * another holds fails with StoreConflictError(kind, key). A kind without keys is written by a single statement.
   */
  uniqueKeys?(doc: T): string[];
  /** Fields that list() and page() find documents by through an index: the fields of their frequent filters. */
  readonly indexed: readonly string[];
  /** The document may be purged `afterMs` after the ISO 8601 time in its field `field`. */
  readonly expires: { readonly field: string; readonly afterMs: number } | null;
}

/** A kind's spec, its fields checked against T. */
export function kind<T extends Owned>(spec: {
  label: string;
  uniqueKeys?: (doc: T) => string[];
  indexed?: readonly (keyof T & string)[];
  expires?: { field: keyof T & string; afterMs: number };
}): KindSpec<T> {
  const { label, uniqueKeys, indexed = [], expires = null } = spec;
  return uniqueKeys === undefined ? { label, indexed, expires } : { label, uniqueKeys, indexed, expires };
}

export type Schema = { readonly [kind: string]: KindSpec<Owned> };

/** The schema of a store that holds no documents: the evidence log, batches and leases only. */
export type NoKinds = Record<never, never>;

export type Kinds<S extends Schema> = keyof S & string;

export type DocumentOf<S extends Schema, K extends Kinds<S>> = S[K] extends KindSpec<infer T> ? T : never;

/** Names a kind cannot take: the store's own members sit beside the repositories. */
const RESERVED = new Set(["records", "batches", "leases", "adapter", "schema", "transaction", "guarded", "purgeExpired", "close"]);
/** Kind and field names go into SQL identifiers and JSON paths: letters, digits and underscores only. */
const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Refuses a schema the adapters cannot build: reserved or unsafe names, an indexed or expiring field with an unsafe name. */
export function checkSchema(schema: Schema): void {
  for (const [name, spec] of Object.entries(schema)) {
    if (RESERVED.has(name) || !NAME_RE.test(name)) throw new Error(`schema: ${JSON.stringify(name)} cannot name a kind`);
    const fields = [...spec.indexed, ...(spec.expires === null ? [] : [spec.expires.field])];
    for (const field of fields) if (!NAME_RE.test(field) || field === "id" || field === "company") throw new Error(`schema: ${name} cannot index field ${JSON.stringify(field)}`);
  }
}

/** The unique keys of a document, without repeats. */
export function uniqueKeysOf(spec: KindSpec<Owned>, doc: Owned): string[] {
  return spec.uniqueKeys === undefined ? [] : [...new Set(spec.uniqueKeys(doc))];
}

/** Kinds without unique keys: writing one of their documents touches one row. */
export function isKeyless(spec: KindSpec<Owned>): boolean {
  return spec.uniqueKeys === undefined;
}

/** The ISO time from which a document may be purged, or null for one that never expires. */
export function purgeTimeOf(spec: KindSpec<Owned>, doc: Owned): string | null {
  if (spec.expires === null) return null;
  const from: unknown = Reflect.get(doc, spec.expires.field);
  if (typeof from !== "string" || Number.isNaN(Date.parse(from))) return null;
  return new Date(Date.parse(from) + spec.expires.afterMs).toISOString();
}

/** Whether `store` was opened with every kind of `kinds`, each with the very spec given: then it serves them. */
export function holdsKinds<E extends Schema>(store: Store, kinds: E): store is Store<E> {
  const opened: Schema = store.schema;
  return Object.entries(kinds).every(([name, spec]) => Object.hasOwn(opened, name) && opened[name] === spec);
}
