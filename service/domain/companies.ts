// Company registration (operator only): the company, its legal representative as first member, and a key.
import { DomainError, refuse } from "./errors";
import { draft, OPERATOR_ACTOR, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { StoreConflictError } from "../store/port";
import { issueKeyIn, type IssuedKey } from "./api-keys";
import { getOwned } from "./lookup";
import { requirePower } from "./policy";
import type { Company, Member } from "./model";

export interface CreateCompanyInput {
  name: string;
  creditCode: string;
  legalRep: { name: string; idNumber: string };
}

export interface CreatedCompany {
  company: Company;
  legalRep: Member;
  apiKey: IssuedKey;
}

export async function createCompany(ctx: DomainContext, input: CreateCompanyInput): Promise<CreatedCompany> {
  const check = await ctx.registryCheck.check({ creditCode: input.creditCode, legalRepName: input.legalRep.name, legalRepIdNumber: input.legalRep.idNumber });
  if (check.problems.includes("CREDIT_CODE_INVALID")) refuse("CREDIT_CODE_INVALID", "the unified social credit code fails the GB 32100 check character");
  if (check.problems.includes("ID_NUMBER_INVALID")) refuse("ID_NUMBER_INVALID", "the legal representative's ID number fails the GB 11643 check");
  if (!check.ok) refuse("REGISTRY_CHECK_FAILED", check.note);
  const now = ctx.now();
  const id = newId("c");
  const company: Company = {
    id,
    company: id,
    name: input.name,
    creditCode: input.creditCode,
    legalRepName: input.legalRep.name,
    legalRepIdNumber: input.legalRep.idNumber,
    registryCheck: { checkedAt: now.toISOString(), method: check.method, ok: check.ok, note: check.note },
    createdAt: now.toISOString(),
  };
  const legalRep: Member = { id: newId("m"), company: id, name: input.legalRep.name, roles: ["legal_rep"], department: null, active: true, createdAt: now.toISOString() };
  try {
    return await ctx.store.transaction(async (tx) => {
      await tx.companies.insert(company);
      await recordChange(tx, draft("company.registered", now, id, id, OPERATOR_ACTOR, { name: input.name, creditCode: input.creditCode, registryCheck: check.method }));
      await tx.members.insert(legalRep);
      await recordChange(tx, draft("member.added", now, id, legalRep.id, OPERATOR_ACTOR, { roles: legalRep.roles, department: null }));
      const apiKey = await issueKeyIn(tx, now, legalRep, OPERATOR_ACTOR, "operator");
      return { company, legalRep, apiKey };
    });
  } catch (err) {
    if (err instanceof StoreConflictError && err.key.startsWith("creditCode:")) {
      throw new DomainError("CREDIT_CODE_TAKEN", "a company with this unified social credit code is already registered");
    }
    throw err;
  }
}

/** The actor's own company. */
export async function getCompany(ctx: DomainContext, actor: Actor): Promise<Company> {
  requirePower(actor, "company.read");
  return getOwned(ctx.store, "companies", actor.company, actor.company);
}
