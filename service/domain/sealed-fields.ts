// Personal data at rest: the fields below are stored SM4-encrypted (DESIGN, principle 4). A wrapper around the
// Store encrypts them on every write and decrypts them on every read, so the store learns no domain rule and
// the domain never sees ciphertext. Values written before encryption was on still read, and are sealed on their
// next write.
import type { Documents, Kind, Repositories, Repository, Store, Tx } from "../store/port";
import type { FieldCipher } from "../crypto/field-cipher";

type SealedFields = { [K in Kind]?: ReadonlyArray<keyof Documents[K] & string> };

/**
 * Names and ID numbers of people: the legal representative's on the company, every member's name, and the
 * stored API responses replayed for idempotent retries, which repeat those names. The company's own name is a
 * public business fact and stays in clear.
 */
export const SEALED_FIELDS: SealedFields = {
  companies: ["legalRepName", "legalRepIdNumber"],
  members: ["name"],
  idempotency: ["body"],
};

/** The same store, with SEALED_FIELDS encrypted at rest, in and outside transactions. */
export function withSealedFields(store: Store, cipher: FieldCipher): Store {
  return { ...store, ...sealedRepositories(store, cipher), transaction: (fn) => store.transaction((tx) => fn(sealedTx(tx, cipher))) };
}

function sealedTx(tx: Tx, cipher: FieldCipher): Tx {
  return { ...tx, ...sealedRepositories(tx, cipher) };
}

function sealedRepositories(repos: Repositories, cipher: FieldCipher): Partial<Repositories> {
  const sealed: Partial<Repositories> = {};
  for (const kind of Object.keys(SEALED_FIELDS) as Kind[]) Object.assign(sealed, { [kind]: sealedRepository(kind, repos[kind], cipher) });
  return sealed;
}

function sealedRepository<K extends Kind>(kind: K, repo: Repository<Documents[K]>, cipher: FieldCipher): Repository<Documents[K]> {
  type Doc = Documents[K];
  const fields: ReadonlyArray<string> = SEALED_FIELDS[kind] ?? [];
  const context = (doc: Doc, field: string) => `${kind}.${field}:${doc.id}`;
  const map = (doc: Doc, transform: (value: string, context: string) => string): Doc => {
    const changed: Record<string, string> = {};
    for (const field of fields) {
      const value: unknown = Reflect.get(doc, field);
      if (typeof value === "string") changed[field] = transform(value, context(doc, field));
    }
    return Object.assign({}, doc, changed);
  };
  const seal = (doc: Doc) => map(doc, (value, ctx) => cipher.seal(value, ctx));
  const openDoc = (doc: Doc) => map(doc, (value, ctx) => cipher.open(value, ctx));
  const open = (doc: Doc | null) => (doc === null ? null : openDoc(doc));
  return {
    get: async (id) => open(await repo.get(id)),
    getByKey: async (key) => open(await repo.getByKey(key)),
    list: async (company, where) => {
      const filtered = Object.keys(where ?? {}).filter((field) => fields.includes(field));
      if (filtered.length > 0) throw new Error(`${kind}: cannot filter on ${filtered.join(", ")}, which are stored encrypted`);
      return (await repo.list(company, where)).map(openDoc);
    },
    insert: (doc) => repo.insert(seal(doc)),
    update: (doc) => repo.update(seal(doc)),
    delete: (id) => repo.delete(id),
  };
}
