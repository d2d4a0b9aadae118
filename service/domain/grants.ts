// Grants: member × seal × scenarios within a validity window and an optional use limit. legal_rep may
// grant anything; a dept_head only within their department, and never beyond a grant they hold themselves,
// which becomes the new grant's parent: withdrawing a grant withdraws every grant given under it.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { activeLegalReps, getOwned } from "./lookup";
import { isLegalRep, may, requirePower } from "./policy";
import { requireUsable } from "./seal-usability";
import { scenarioAllows } from "./scenarios";
import { pageOfEither } from "./paging";
import { revokeKeysInAdminHands } from "./api-keys";
import type { Repositories, Tx } from "./schema";
import type { Page, PageRequest } from "../store/port";
import type { Grant, Member } from "./model";

export type GiveGrantInput = Pick<Grant, "member" | "seal" | "scenarios" | "validFrom" | "validTo" | "useLimit">;

type WithdrawReason = "withdrawn" | "member-left" | "parent-withdrawn";

export async function giveGrant(ctx: DomainContext, actor: Actor, input: GiveGrantInput): Promise<Grant> {
  requirePower(actor, "grant.give");
  const now = ctx.now();
  if (Date.parse(input.validTo) <= Date.parse(input.validFrom)) refuse("GRANT_WINDOW_INVALID", "validTo must be after validFrom");
  return ctx.store.transaction(async (tx) => {
    const grantee = await getOwned(tx, "members", actor.company, input.member);
    const seal = await getOwned(tx, "seals", actor.company, input.seal);
    if (!grantee.active) refuse("MEMBER_INACTIVE", "the member has left the company");
    if (grantee.roles.every((r) => r === "auditor")) refuse("FORBIDDEN", "auditors have read-only access and cannot hold grants");
    requireUsable(seal, "grant");
    for (const id of input.scenarios) {
      const scenario = await getOwned(tx, "scenarios", actor.company, id);
      if (!scenarioAllows(scenario, seal)) refuse("SCENARIO_NOT_ALLOWED", `scenario ${scenario.code} does not allow this seal's kind or type`);
    }
    const selfGranted = await isAllowedSelfGrant(tx, actor, grantee);
    const parent = may(actor, "grant.give-unbounded") ? null : await parentGrant(tx, actor, grantee, input, now);
    const grant: Grant = { id: newId("g"), company: actor.company, ...input, scenarios: [...new Set(input.scenarios)], uses: 0, givenBy: actor.member.id, parent: parent?.id ?? null, withdrawn: false, createdAt: now.toISOString() };
    await tx.grants.insert(grant);
    const { member, seal: sealId, scenarios, validFrom, validTo, useLimit } = grant;
    const data = { member, seal: sealId, scenarios, validFrom, validTo, useLimit, parent: grant.parent ?? null, ...(selfGranted ? { selfGranted } : {}) };
    await recordChange(tx, draft("grant.given", now, actor.company, grant.id, actor.member.id, data));
    await revokeKeysInAdminHands(tx, now, grantee, actor.member.id);
    return grant;
  });
}

export async function withdrawGrant(ctx: DomainContext, actor: Actor, grantId: string): Promise<Grant> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const grant = await getOwned(tx, "grants", actor.company, grantId);
    requirePower(actor, grant.givenBy === actor.member.id ? "grant.withdraw-given" : "grant.withdraw-any");
    return withdrawWithDescendants(tx, now, actor, grant.id, "withdrawn");
  });
}

/**
 * Withdraws a grant and, in the same transaction, every grant given under it, recursively: each is its own
 * `grant.withdrawn` record, the descendants with reason "parent-withdrawn". An already withdrawn grant is left alone.
 */
export async function withdrawWithDescendants(tx: Tx, now: Date, actor: Actor, grantId: string, reason: WithdrawReason): Promise<Grant> {
  const grant = await getOwned(tx, "grants", actor.company, grantId);
  if (grant.withdrawn) return grant;
  const withdrawn = { ...grant, withdrawn: true };
  await tx.grants.update(withdrawn);
  await recordChange(tx, draft("grant.withdrawn", now, actor.company, grant.id, actor.member.id, { reason }));
  for (const child of await tx.grants.list(actor.company, { parent: grant.id, withdrawn: false })) {
    await withdrawWithDescendants(tx, now, actor, child.id, "parent-withdrawn");
  }
  return withdrawn;
}

/** Admins and auditors see every grant; other members see their own and those they gave. */
export async function listGrants(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<Grant>> {
  requirePower(actor, "grant.read-own");
  const grants = ctx.store.grants;
  if (may(actor, "grant.read-all")) return grants.page(actor.company, {}, page);
  const me = actor.member.id;
  return pageOfEither(grants, actor.company, { member: me }, { givenBy: me }, (g) => g.member === me, page);
}

export async function getGrant(ctx: DomainContext, actor: Actor, grantId: string): Promise<Grant> {
  requirePower(actor, "grant.read-own");
  const grant = await getOwned(ctx.store, "grants", actor.company, grantId);
  if (!may(actor, "grant.read-all") && grant.member !== actor.member.id && grant.givenBy !== actor.member.id) {
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
  const usable = held.find((g) => isUsableAt(g, now));
  if (usable) return usable;
  if (held.length === 0) refuse("GRANT_MISSING", "you hold no grant for this seal and scenario");
  if (held.every((g) => Date.parse(g.validFrom) > t)) refuse("GRANT_NOT_YET_VALID", "your grant is not valid yet", { validFrom: held[0].validFrom });
  if (held.every((g) => Date.parse(g.validTo) <= t || Date.parse(g.validFrom) > t)) refuse("GRANT_EXPIRED", "your grant has expired");
  refuse("GRANT_EXHAUSTED", "your grant's use limit is reached");
}

function isUsableAt(g: Grant, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(g.validFrom) <= t && t < Date.parse(g.validTo) && (g.useLimit === null || g.uses < g.useLimit);
}

/**
 * Nobody grants themself, with one exception: the only active legal representative of the company. They hold
 * every power already and nobody else can grant them; refused, they would seal through a member they control,
 * which hides who sealed. So the grant is allowed and its record carries `selfGranted: true` for the audit.
 */
async function isAllowedSelfGrant(tx: Tx, actor: Actor, grantee: Member): Promise<boolean> {
  if (grantee.id !== actor.member.id) return false;
  if (!isLegalRep(actor.member) || (await activeLegalReps(tx, actor.company)).length !== 1) {
    refuse("SELF_GRANT", "nobody grants themself; another member with the power to give this grant must");
  }
  return true;
}

/**
 * The giver's own grant the new one is delegated under: usable now, within the giver's department, and covering
 * all of it — the same seal, every scenario, a window inside its own, and no more uses than it has left
 * (unlimited only under an unlimited one).
 */
async function parentGrant(tx: Tx, actor: Actor, grantee: Member, input: GiveGrantInput, now: Date): Promise<Grant> {
  if (actor.member.department === null || grantee.department !== actor.member.department) refuse("FORBIDDEN", "a department head grants only within their own department");
  const held = await tx.grants.list(actor.company, { member: actor.member.id, seal: input.seal, withdrawn: false });
  const parent = held.find((g) => isUsableAt(g, now) && covers(g, input));
  if (parent === undefined) {
    refuse("GRANT_EXCEEDS_GIVER", "a grant you give must fit inside one you hold and can use now: its seal and scenarios, its window, and no more than its remaining uses");
  }
  return parent;
}

function covers(parent: Grant, input: GiveGrantInput): boolean {
  const inWindow = Date.parse(input.validFrom) >= Date.parse(parent.validFrom) && Date.parse(input.validTo) <= Date.parse(parent.validTo);
  const left = parent.useLimit === null ? null : parent.useLimit - parent.uses;
  const inLimit = left === null || (input.useLimit !== null && input.useLimit <= left);
  return inWindow && inLimit && input.scenarios.every((s) => parent.scenarios.includes(s));
}
