// One-time invitations: an administrator asks for a link for a member (a legal representative for a member holding
// powers, as for their keys); the member opens it within 24 hours and registers a passkey. Only the token's hash is
// kept, and a redeemed invitation stays redeemed: a stolen link used twice fails the second time.
import { refuse } from "../domain/errors";
import { draft, recordChange, type Actor } from "../domain/context";
import { newId } from "../domain/ids";
import { getOwned } from "../domain/lookup";
import { inviteAction, requirePower } from "../domain/policy";
import { holdsGrant } from "../domain/api-keys";
import { hashSecret, newSecret } from "./secrets";
import { INVITATION_TTL_MS, type ConsoleAuthContext } from "./context";
import type { ConsoleAuthTx } from "./schema";
import type { Member } from "../domain/model";
import type { Invitation } from "./model";

export interface IssuedInvitation {
  invitation: Invitation;
  /** The link's token, returned once and never stored. */
  token: string;
}

/** The console's invitation link: the token rides in the fragment, which browsers never send to a server or a Referer. */
export function invitationUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/console/#/invite/${token}`;
}

export async function inviteMember(ctx: ConsoleAuthContext, actor: Actor, memberId: string): Promise<IssuedInvitation> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const member = await getOwned(tx, "members", actor.company, memberId);
    requirePower(actor, inviteAction(actor, member, await holdsGrant(tx, member)));
    if (!member.active) refuse("MEMBER_INACTIVE", "the member has left the company");
    const token = newSecret();
    const invitation: Invitation = {
      id: newId("iv"), company: member.company, member: member.id, hash: hashSecret(token), invitedBy: actor.member.id,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(), usedAt: null, createdAt: now.toISOString(),
    };
    await tx.invitations.insert(invitation);
    await recordChange(tx, draft("member.invited", now, member.company, member.id, actor.member.id, { invitation: invitation.id }));
    return { invitation, token };
  });
}

/** The invitation a token names and its member, while it may still be redeemed; refused with the reason otherwise. */
export async function openInvitation(tx: ConsoleAuthTx, token: string, now: Date): Promise<{ invitation: Invitation; member: Member }> {
  const invitation = await tx.invitations.getByKey(`hash:${hashSecret(token)}`);
  if (invitation === null) refuse("INVITATION_INVALID", "no invitation has this token; ask an administrator for a new link");
  if (invitation.usedAt !== null) refuse("INVITATION_USED", "this invitation has been used; ask an administrator for a new link");
  if (Date.parse(invitation.expiresAt) <= now.getTime()) refuse("INVITATION_EXPIRED", "this invitation has expired; ask an administrator for a new link");
  const member = await tx.members.get(invitation.member);
  if (member === null || !member.active) refuse("MEMBER_INACTIVE", "the invited member has left the company");
  return { invitation, member };
}
