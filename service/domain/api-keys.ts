// API keys: shown once, stored as a SHA-256 hash, revocable. Authentication resolves a bearer secret to a member.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { hashApiKey, newApiKeySecret, newId } from "./ids";
import { getOwned } from "./lookup";
import { keyAction, requirePower } from "./policy";
import type { Tx } from "./schema";
import type { Page, PageRequest } from "../store/port";
import type { ApiKey, KeyCustody, Member } from "./model";

export interface IssuedKey {
  id: string;
  /** The secret, returned once at creation and never again. */
  secret: string;
  prefix: string;
}

export async function issueKeyIn(tx: Tx, now: Date, member: Member, actor: string, custody: KeyCustody): Promise<IssuedKey> {
  const id = newId("k");
  const secret = newApiKeySecret(id);
  const key: ApiKey = { id, company: member.company, member: member.id, hash: hashApiKey(secret), prefix: secret.slice(0, 12), revoked: false, custody, createdAt: now.toISOString() };
  await tx.apiKeys.insert(key);
  await recordChange(tx, draft("member.key-issued", now, member.company, member.id, actor, { key: id }));
  return { id, secret, prefix: key.prefix };
}

/** A member may issue keys for themselves; admins for others, and only the legal representative for members holding powers (see keyAction). */
export async function issueKey(ctx: DomainContext, actor: Actor, memberId: string): Promise<IssuedKey> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const member = await getOwned(tx, "members", actor.company, memberId);
    requirePower(actor, keyAction("issue", actor, member, await holdsGrant(tx, member)));
    if (!member.active) refuse("MEMBER_INACTIVE", "the member has left the company");
    return issueKeyIn(tx, now, member, actor.member.id, custodyOf(actor, member.id));
  });
}

/** Who sees a secret `actor` has issued for `memberId`. */
export function custodyOf(actor: Actor, memberId: string): KeyCustody {
  if (actor.member.id === memberId) return "member";
  return actor.member.roles.includes("legal_rep") ? "legal_rep" : "admin";
}

/**
 * A member gaining powers (a role beyond employee and auditor, or a grant) must not remain usable by an admin who
 * saw their key's secret: in the caller's transaction, every such key of theirs is revoked, each as evidence. The
 * member then needs a key of their own or from a legal_rep.
 */
export async function revokeKeysInAdminHands(tx: Tx, now: Date, member: Member, actor: string): Promise<void> {
  const keys = await tx.apiKeys.list(member.company, { member: member.id });
  for (const key of keys.filter((k) => !k.revoked && (k.custody === undefined || k.custody === "admin"))) {
    await tx.apiKeys.update({ ...key, revoked: true });
    await recordChange(tx, draft("member.key-revoked", now, member.company, member.id, actor, { key: key.id, reason: "powers-conferred" }));
  }
}

export async function revokeKey(ctx: DomainContext, actor: Actor, keyId: string): Promise<ApiKey> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const key = await getOwned(tx, "apiKeys", actor.company, keyId);
    const member = await getOwned(tx, "members", actor.company, key.member);
    requirePower(actor, keyAction("revoke", actor, member, await holdsGrant(tx, member)));
    if (key.revoked) return key;
    const revoked = { ...key, revoked: true };
    await tx.apiKeys.update(revoked);
    await recordChange(tx, draft("member.key-revoked", now, key.company, key.member, actor.member.id, { key: key.id }));
    return revoked;
  });
}

export async function listKeys(ctx: DomainContext, actor: Actor, memberId: string, page: PageRequest): Promise<Page<ApiKey>> {
  requirePower(actor, memberId === actor.member.id ? "key.list-own" : "key.list-other");
  await getOwned(ctx.store, "members", actor.company, memberId);
  return ctx.store.apiKeys.page(actor.company, { member: memberId }, page);
}

async function holdsGrant(tx: Tx, member: Member): Promise<boolean> {
  return (await tx.grants.list(member.company, { member: member.id, withdrawn: false })).length > 0;
}

/** Resolves a bearer secret to an active member, or null: the caller answers 401 without saying why. */
export async function authenticate(ctx: DomainContext, secret: string): Promise<Actor | null> {
  const key = await ctx.store.apiKeys.getByKey(`hash:${hashApiKey(secret)}`);
  if (key === null || key.revoked) return null;
  const member = await ctx.store.members.get(key.member);
  if (member === null || !member.active) return null;
  return { company: member.company, member };
}
