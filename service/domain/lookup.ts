// Company-scoped reads: another company's document is reported exactly like a missing one.
import { refuse } from "./errors";
import type { Member } from "./model";
import { DOMAIN_SCHEMA, type DomainDocument, type DomainKind, type Repositories } from "./schema";

export async function getOwned<K extends DomainKind>(repos: Repositories, kind: K, company: string, id: string): Promise<DomainDocument<K>> {
  const doc = await repos[kind].get(id);
  const label = DOMAIN_SCHEMA[kind].label;
  if (doc === null || doc.company !== company) refuse("NOT_FOUND", `no ${label} ${id}`, { kind: label, id });
  return doc;
}

/** The company's active legal representatives. */
export async function activeLegalReps(repos: Repositories, company: string): Promise<Member[]> {
  return (await repos.members.list(company, { active: true })).filter((m) => m.roles.includes("legal_rep"));
}
