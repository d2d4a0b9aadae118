// Members and their roles. Leaving the company withdraws every grant the member holds, each as evidence.
import { refuse } from "./errors";
import { draft, recordChange, stepUpNote, type Actor, type DomainContext } from "./context";
import { newId } from "./ids";
import { activeLegalReps, getOwned } from "./lookup";
import { addMemberAction, changeRolesAction, EMPOWERED_ROLES, removeMemberAction, requirePower } from "./policy";
import { withdrawWithDescendants } from "./grants";
import { afterwardForgetting, custodyOf, issueKeyIn, revokeKeysInAdminHands, type IssuedKey } from "./api-keys";
import type { Tx } from "./schema";
import type { Page, PageRequest } from "../store/port";
import type { Member, Role } from "./model";

export interface AddMemberInput {
  name: string;
  roles: Role[];
  department: string | null;
}

export async function addMember(ctx: DomainContext, actor: Actor, input: AddMemberInput): Promise<{ member: Member; apiKey: IssuedKey }> {
  requirePower(actor, "member.add");
  requirePower(actor, addMemberAction(input.roles));
  const now = ctx.now();
  const member: Member = { id: newId("m"), company: actor.company, name: input.name, roles: unique(input.roles), department: input.department, active: true, createdAt: now.toISOString() };
  return ctx.store.transaction(async (tx) => {
    await tx.members.insert(member);
    await recordChange(tx, draft("member.added", now, actor.company, member.id, actor.member.id, { roles: member.roles, department: member.department }));
    const apiKey = await issueKeyIn(tx, now, member, actor.member.id, custodyOf(actor, member.id));
    return { member, apiKey };
  });
}

export async function changeRoles(ctx: DomainContext, actor: Actor, memberId: string, roles: Role[], department: string | null): Promise<Member> {
  requirePower(actor, "member.roles");
  const now = ctx.now();
  return afterwardForgetting(ctx.store, { member: memberId }, ctx.store.transaction(async (tx) => {
    const member = await getOwned(tx, "members", actor.company, memberId);
    if (!member.active) refuse("MEMBER_INACTIVE", "the member has left the company");
    requirePower(actor, changeRolesAction(actor, member, roles));
    if (member.roles.includes("legal_rep") && !roles.includes("legal_rep")) await requireAnotherLegalRep(tx, member);
    const updated = { ...member, roles: unique(roles), department };
    await tx.members.update(updated);
    await recordChange(tx, draft("member.roles-changed", now, actor.company, member.id, actor.member.id, { roles: updated.roles, department, ...stepUpNote(actor) }));
    if (updated.roles.some((r) => EMPOWERED_ROLES.includes(r) && !member.roles.includes(r))) await revokeKeysInAdminHands(tx, now, updated, actor.member.id);
    return updated;
  }));
}

/** The member leaves: their grants are withdrawn and their keys stop working, all in one transaction. */
export async function removeMember(ctx: DomainContext, actor: Actor, memberId: string): Promise<Member> {
  requirePower(actor, "member.leave");
  const now = ctx.now();
  return afterwardForgetting(ctx.store, { member: memberId }, ctx.store.transaction(async (tx) => {
    const member = await getOwned(tx, "members", actor.company, memberId);
    if (!member.active) return member;
    requirePower(actor, removeMemberAction(member));
    if (member.roles.includes("legal_rep")) await requireAnotherLegalRep(tx, member);
    const left = { ...member, active: false };
    await tx.members.update(left);
    await recordChange(tx, draft("member.left", now, actor.company, member.id, actor.member.id));
    for (const grant of await tx.grants.list(actor.company, { member: member.id, withdrawn: false })) {
      await withdrawWithDescendants(tx, now, actor, grant.id, "member-left");
    }
    return left;
  }));
}

export async function listMembers(ctx: DomainContext, actor: Actor, page: PageRequest): Promise<Page<Member>> {
  requirePower(actor, "member.read");
  return ctx.store.members.page(actor.company, {}, page);
}

export async function getMember(ctx: DomainContext, actor: Actor, memberId: string): Promise<Member> {
  requirePower(actor, "member.read");
  return getOwned(ctx.store, "members", actor.company, memberId);
}

async function requireAnotherLegalRep(tx: Tx, member: Member): Promise<void> {
  const reps = (await activeLegalReps(tx, member.company)).filter((m) => m.id !== member.id);
  if (reps.length === 0) refuse("LAST_LEGAL_REP", "a company must keep at least one legal representative");
}

const unique = (roles: Role[]): Role[] => [...new Set(roles)];
