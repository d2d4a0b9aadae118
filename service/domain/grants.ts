// Grants: member × seal × scenarios within a validity window and an optional use limit. legal_rep may
// grant anything; a dept_head only within their department, for seals and scenarios they hold themselves.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { getOwned } from "./lookup";
import { hasRole } from "./authz";
import { scenarioAllows } from "./scenarios";
import type { Repositories } from "../store/port";
import type { Grant } from "./model";

export type GiveGrantInput = Pick<Grant, "member" | "seal" | "scenarios" | "validFrom" | "validTo" | "useLimit">;

export async function giveGrant(ctx: DomainContext, actor: Actor, input: GiveGrantInput): Promise<Grant> {
  const now = ctx.now();
  if (Date.parse(input.validTo) <= Date.parse(input.validFrom)) refuse("GRANT_WINDOW_INVALID", "validTo must be after validFrom");
  return ctx.store.transaction(async (tx) => {
    const grantee = await getOwned(tx, "members", actor.company, input.member);
    const seal = await getOwned(tx, "seals", actor.company, input.seal);
    if (!grantee.active) refuse("MEMBER_INACTIVE", "the member has left the company");
    if (grantee.roles.every((r) => r === "auditor")) refuse("FORBIDDEN", "auditors have read-only access and cannot hold grants");
    if (seal.status === "revoked" || seal.status === "destroyed") refuse(seal.status === "revoked" ? "SEAL_REVOKED" : "SEAL_DESTROYED", `the seal is ${seal.status}`);
    for (const id of input.scenarios) {
      const scenario = await getOwned(tx, "scenarios", actor.company, id);
      if (!scenarioAllows(scenario, seal)) refuse("SCENARIO_NOT_ALLOWED", `scenario ${scenario.code} does not allow this seal's kind or type`);
    }
    if (!hasRole(actor)) await requireDepartmentPower(tx, actor, grantee.department, input.seal, input.scenarios, now);
    const grant: Grant = { id: newId("g"), company: actor.company, ...input, scenarios: [...new Set(input.scenarios)], uses: 0, givenBy: actor.member.id, withdrawn: false, createdAt: now.toISOString() };
    await tx.grants.insert(grant);
    const { member, seal: sealId, scenarios, validFrom, validTo, useLimit } = grant;
    await recordChange(tx, draft("grant.given", now, actor.company, grant.id, actor.member.id, { member, seal: sealId, scenarios, validFrom, validTo, useLimit }));
    return grant;
  });
}

export async function withdrawGrant(ctx: DomainContext, actor: Actor, grantId: string): Promise<Grant> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const grant = await getOwned(tx, "grants", actor.company, grantId);
    if (!hasRole(actor) && grant.givenBy !== actor.member.id) refuse("FORBIDDEN", "only the legal representative or the grant's giver may withdraw it");
    if (grant.withdrawn) return grant;
    const withdrawn = { ...grant, withdrawn: true };
    await tx.grants.update(withdrawn);
    await recordChange(tx, draft("grant.withdrawn", now, actor.company, grant.id, actor.member.id, { reason: "withdrawn" }));
    return withdrawn;
  });
}

/** Admins and auditors see every grant; other members see their own and those they gave. */
export async function listGrants(ctx: DomainContext, actor: Actor): Promise<Grant[]> {
  const all = await ctx.store.grants.list(actor.company);
  if (hasRole(actor, "seal_admin", "auditor")) return all;
  return all.filter((g) => g.member === actor.member.id || g.givenBy === actor.member.id);
}

export async function getGrant(ctx: DomainContext, actor: Actor, grantId: string): Promise<Grant> {
  const grant = await getOwned(ctx.store, "grants", actor.company, grantId);
  if (!hasRole(actor, "seal_admin", "auditor") && grant.member !== actor.member.id && grant.givenBy !== actor.member.id) {
    refuse("NOT_FOUND", `no grant ${grantId}`);
  }
  return grant;
}

/**
 * The grant that lets `member` use `seal` for `scenario` at `now`. When none does, the refusal names the
 * closest reason: no grant at all, not yet valid, expired, or its use limit reached.
 */
export async function usableGrant(repos: Repositories, company: string, member: string, seal: string, scenario: string, now: Date): Promise<Grant> {
  const held = (await repos.grants.list(company, { member, seal, withdrawn: false })).filter((g) => g.scenarios.includes(scenario));
  const t = now.getTime();
  const usable = held.find((g) => Date.parse(g.validFrom) <= t && t < Date.parse(g.validTo) && (g.useLimit === null || g.uses < g.useLimit));
  if (usable) return usable;
  if (held.length === 0) refuse("GRANT_MISSING", "you hold no grant for this seal and scenario");
  if (held.every((g) => Date.parse(g.validFrom) > t)) refuse("GRANT_NOT_YET_VALID", "your grant is not valid yet", { validFrom: held[0].validFrom });
  if (held.every((g) => Date.parse(g.validTo) <= t || Date.parse(g.validFrom) > t)) refuse("GRANT_EXPIRED", "your grant has expired");
  refuse("GRANT_EXHAUSTED", "your grant's use limit is reached");
}

async function requireDepartmentPower(repos: Repositories, actor: Actor, department: string | null, seal: string, scenarios: string[], now: Date): Promise<void> {
  if (!actor.member.roles.includes("dept_head")) refuse("FORBIDDEN", "giving grants needs the legal_rep role, or dept_head within the department");
  if (actor.member.department === null || department !== actor.member.department) refuse("FORBIDDEN", "a department head grants only within their own department");
  for (const scenario of scenarios) {
    try {
      await usableGrant(repos, actor.company, actor.member.id, seal, scenario, now);
    } catch {
      refuse("FORBIDDEN", "a department head can only pass on seals and scenarios they hold themselves");
    }
  }
}
