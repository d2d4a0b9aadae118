// One repository per document kind, built by an adapter's factory. The kinds are spelled out so that a kind
// added to the port is a type error here until every adapter serves it.
import { KEYLESS_KINDS, UNIQUE_KEYS, type Documents, type Kind, type Repositories, type Repository } from "./port";

/** Every document kind, in UNIQUE_KEYS order. */
export const KINDS = Object.keys(UNIQUE_KEYS) as Kind[];

export type RepositoryFactory = <K extends Kind>(kind: K) => Repository<Documents[K]>;

export function repositoriesOf(make: RepositoryFactory): Repositories {
  return {
    companies: make("companies"),
    members: make("members"),
    apiKeys: make("apiKeys"),
    seals: make("seals"),
    scenarios: make("scenarios"),
    grants: make("grants"),
    requests: make("requests"),
    reservations: make("reservations"),
    idempotency: make("idempotency"),
  };
}

/** The unique keys of a document, without repeats. */
export function uniqueKeysOf<K extends Kind>(kind: K, doc: Documents[K]): string[] {
  const keysOf: (doc: Documents[K]) => string[] = UNIQUE_KEYS[kind];
  const keys = [...new Set(keysOf(doc))];
  if (keys.length > 0 && KEYLESS_KINDS.has(kind)) throw new Error(`UNIQUE_KEYS gives ${kind} keys, but KEYLESS_KINDS lists it`);
  return keys;
}
