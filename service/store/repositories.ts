// One repository per kind of the schema, built by an adapter's factory.
import type { Repositories, Repository } from "./port";
import type { KindSpec, Owned, Schema } from "./schema";

/** Builds the repository of one kind from its name and spec. */
export type RepositoryFactory = (kind: string, spec: KindSpec<Owned>) => Repository<Owned>;

export function repositoriesOf<S extends Schema>(schema: S, make: RepositoryFactory): Repositories<S> {
  const repos: Record<string, Repository<Owned>> = {};
  for (const [kind, spec] of Object.entries(schema)) repos[kind] = make(kind, spec);
  // The factory built one repository per kind of S, each over that kind's documents.
  return repos as Repositories<S>;
}

/** The repository of `kind` in a set built by repositoriesOf, or an error naming a kind the schema lacks. */
export function repositoryOf(repos: object, kind: string): Repository<Owned> {
  const repo: unknown = Reflect.get(repos, kind);
  if (typeof repo !== "object" || repo === null) throw new Error(`the store's schema has no kind ${kind}`);
  return repo as Repository<Owned>;
}

const SELF = Symbol("lazy repositories");
const MAKE = Symbol("repository factory");
interface LazyRepositories {
  [SELF]: LazyRepositories;
  [MAKE]: RepositoryFactory;
}
const lazyPrototypes = new WeakMap<Schema, object>();

/**
 * repositoriesOf for a transaction: a kind's repository is built the first time it is read. A transaction touches a
 * few kinds of the schema's dozens, and building all of them measured ~15 µs and ~8 KB a usage in bench:ingest.
 * The getters live on a prototype made once per schema; each builds on the object it was made for (SELF), so an
 * overlay (below) of the set builds into the set. Not for spreading: a spread copies only own properties.
 */
export function lazyRepositoriesOf<S extends Schema>(schema: S, make: RepositoryFactory): Repositories<S> {
  let prototype = lazyPrototypes.get(schema);
  if (prototype === undefined) {
    const getters: PropertyDescriptorMap = {};
    for (const [kind, spec] of Object.entries(schema)) {
      getters[kind] = {
        enumerable: true,
        get(this: LazyRepositories) {
          const self = this[SELF];
          const repo = self[MAKE](kind, spec);
          Object.defineProperty(self, kind, { value: repo, enumerable: true, writable: true, configurable: true });
          return repo;
        },
      };
    }
    prototype = Object.create(null, getters) as object;
    lazyPrototypes.set(schema, prototype);
  }
  // The prototype is made once per schema and kept: only a prototype made per transaction is the trouble.
  // eslint-disable-next-line no-restricted-syntax
  const repos = Object.create(prototype) as LazyRepositories;
  repos[SELF] = repos;
  repos[MAKE] = make;
  // Every kind of S reads as the repository the factory builds for it.
  return repos as unknown as Repositories<S>;
}

/**
 * `base` with `own` on top: what `{ ...base, ...own }` would read as, without copying base (nor building the lazy
 * repositories of a transaction, which a spread would). Writes and definitions go to `own`. Not for spreading either.
 *
 * A Proxy rather than `Object.create(base)`: V8 keeps an object that has been made a prototype reachable from its
 * map until a full collection, so every transaction made one (three times a usage: guarded writes, sealed fields,
 * the outbox nudge) outlived each scavenge with all it reached, and was copied, then promoted. Measured with the
 * sampling heap profiler in bench:ingest: a third of what survived a scavenge; and per transaction, three overlays and
 * 50 reads took ~34 µs through prototypes against ~6 µs through proxies.
 */
export function overlay<T extends object>(base: T, own: Partial<T>): T {
  return new Proxy(own, new Overlay(base)) as T;
}

/** Reads `own` (the proxy's target) where it has the key, else `base`. */
class Overlay<T extends object> implements ProxyHandler<Partial<T>> {
  constructor(private readonly base: T) {}

  get(own: Partial<T>, key: string | symbol): unknown {
    return key in own ? Reflect.get(own, key) : Reflect.get(this.base, key);
  }

  has(own: Partial<T>, key: string | symbol): boolean {
    return key in own || key in this.base;
  }
}
