// Company-scoped reads: another company's document is reported exactly like a missing one.
import { refuse } from "./errors";
import type { Documents, Kind, Repositories } from "../store/port";
import type { Member } from "./model";

export async function getOwned<K extends Kind>(repos: Repositories, kind: K, company: string, id: string): Promise<Documents[K]> {
  const doc = (await repos[kind].get(id)) as Documents[K] | null;
  if (doc === null || doc.company !== company) refuse("NOT_FOUND", `no ${singular(kind)} ${id}`, { kind: singular(kind), id });
  return doc;
}

function singular(kind: Kind): string {
  return { companies: "company", members: "member", apiKeys: "API key", seals: "seal", scenarios: "scenario", grants: "grant", requests: "request", reservations: "reservation", idempotency: "idempotency entry" }[kind];
}

/** The company's active legal representatives. */
export async function activeLegalReps(repos: Repositories, company: string): Promise<Member[]> {
  return (await repos.members.list(company, { active: true })).filter((m) => m.roles.includes("legal_rep"));
}
