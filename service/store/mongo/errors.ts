// Maps MongoDB server errors to the store's own: duplicate keys become StoreConflictError, a missing replica set
// becomes a message that says what to do.
import { mongo } from "mongoose";
import { StoreConflictError, type ConflictKind } from "../port";

const DUPLICATE_KEY = 11000;
const ILLEGAL_OPERATION = 20;
const NAMESPACE_EXISTS = 48;

export const REPLICA_SET_REQUIRED =
  "sealproof needs MongoDB transactions, which need a replica set or a sharded cluster: this server is standalone. " +
  "Start mongod with --replSet <name> and run rs.initiate() once (a one-member set is enough), then put ?replicaSet=<name> in MONGODB_URI.";

/**
 * A duplicate key the caller may be told about as a StoreConflictError. One labelled TransientTransactionError is not:
 * it is the transaction's to retry (a key a concurrent transaction holds, on a later snapshot the answer may differ),
 * and a domain refusal made of it would answer "taken" for a key that may be free.
 */
export function isDuplicateKey(err: unknown): err is mongo.MongoServerError {
  return err instanceof mongo.MongoServerError && err.code === DUPLICATE_KEY && !err.hasErrorLabel("TransientTransactionError");
}

export function isNamespaceExists(err: unknown): boolean {
  return err instanceof mongo.MongoServerError && err.code === NAMESPACE_EXISTS;
}

/** The unique key a duplicate-key error names, by index field, when the server reports it (MongoDB ≥ 4.2 does). */
export function duplicateKeyValue(err: mongo.MongoServerError, field: string): string | null {
  const keyValue: unknown = err.keyValue;
  if (typeof keyValue !== "object" || keyValue === null) return null;
  const value: unknown = Object.getOwnPropertyDescriptor(keyValue, field)?.value;
  if (value === undefined) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A document write's duplicate-key error as StoreConflictError: on `_id` it is the id (`id:<id>`), otherwise a
 * unique key from `uniq`, named by the server or, failing that, the document's first key.
 */
export function documentConflict(err: unknown, kind: ConflictKind, id: string, keys: string[]): unknown {
  if (!isDuplicateKey(err)) return err;
  if (duplicateKeyValue(err, "_id") !== null) return new StoreConflictError(kind, `id:${id}`);
  return new StoreConflictError(kind, duplicateKeyValue(err, "uniq") ?? keys[0] ?? `id:${id}`);
}

/** Transactions on a standalone server fail with IllegalOperation; say how to fix it. */
export function transactionsUnsupported(err: unknown): Error | null {
  if (err instanceof mongo.MongoServerError && err.code === ILLEGAL_OPERATION && /replica set|Transaction numbers/i.test(err.message)) {
    return new Error(REPLICA_SET_REQUIRED, { cause: err });
  }
  return null;
}
