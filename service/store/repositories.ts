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
