// API keys: shown once, stored as a SHA-256 hash, revocable. Authentication resolves a bearer secret to a member.
import { refuse } from "./errors";
import { draft, recordChange, type Actor, type DomainContext } from "./context";
import { hashApiKey, newApiKeySecret, newId } from "./ids";
import { getOwned } from "./lookup";
import { keyAction, requirePower } from "./policy";
import type { Store, Tx } from "./schema";
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
    // The caller's transaction commits later, out of sight: until a read shows the key revoked, it is not served from the cache.
    markRevoking(key.id);
    await tx.apiKeys.update({ ...key, revoked: true });
    await recordChange(tx, draft("member.key-revoked", now, member.company, member.id, actor, { key: key.id, reason: "powers-conferred" }));
  }
}

export async function revokeKey(ctx: DomainContext, actor: Actor, keyId: string): Promise<ApiKey> {
  const now = ctx.now();
  return afterwardForgetting(ctx.store, { key: keyId }, ctx.store.transaction(async (tx) => {
    const key = await getOwned(tx, "apiKeys", actor.company, keyId);
    const member = await getOwned(tx, "members", actor.company, key.member);
    requirePower(actor, keyAction("revoke", actor, member, await holdsGrant(tx, member)));
    if (key.revoked) return key;
    const revoked = { ...key, revoked: true };
    await tx.apiKeys.update(revoked);
    await recordChange(tx, draft("member.key-revoked", now, key.company, key.member, actor.member.id, { key: key.id }));
    return revoked;
  }));
}

export async function listKeys(ctx: DomainContext, actor: Actor, memberId: string, page: PageRequest): Promise<Page<ApiKey>> {
  requirePower(actor, memberId === actor.member.id ? "key.list-own" : "key.list-other");
  await getOwned(ctx.store, "members", actor.company, memberId);
  return ctx.store.apiKeys.page(actor.company, { member: memberId }, page);
}

/** Whether the member holds a grant not withdrawn: a power of its own (see keyAction). */
export async function holdsGrant(tx: Tx, member: Member): Promise<boolean> {
  return (await tx.grants.list(member.company, { member: member.id, withdrawn: false })).length > 0;
}

/** Resolves a bearer secret to an active member, or null: the caller answers 401 without saying why. */
export async function authenticate(ctx: DomainContext, secret: string): Promise<Actor | null> {
  const hash = hashApiKey(secret);
  const cache = actorCacheOf(ctx.store);
  const cached = cache?.get(hash);
  if (cached !== undefined) return cached;
  const since = generation;
  const key = await ctx.store.apiKeys.getByKey(`hash:${hash}`);
  if (key === null || key.revoked) {
    if (key !== null) cache?.seenRevoked(key.id);
    return null;
  }
  const member = await ctx.store.members.get(key.member);
  if (member === null || !member.active) return null;
  if (cache === null) return { company: member.company, member };
  // Shared by every request with this key from now on: frozen, so that no handler can change what the next one sees.
  Object.freeze(member.roles);
  const actor: Actor = Object.freeze({ company: member.company, member: Object.freeze(member) });
  cache.set(hash, key.id, actor, since);
  return actor;
}

/**
 * Forgets what the cache holds of a key or a member once `change` (a transaction of theirs) has settled: from the
 * moment its caller hears of the change, authentication reads the store again.
 */
export async function afterwardForgetting<T>(store: Store, what: { key: string } | { member: string }, change: Promise<T>): Promise<T> {
  try {
    return await change;
  } finally {
    actorCacheOf(store)?.forget(what);
  }
}

/**
 * Actors by key hash, so that a request's authentication costs no store reads (two of them, about a tenth of a signed
 * usage's event-loop time). Only for SQLite, whose file this process alone writes: MongoDB nodes would not hear of
 * another node's revocation. Changes reach it two ways: a transaction of revokeKey, changeRoles or removeMember
 * forgets its key or member once settled (afterwardForgetting); a key revoked inside someone else's transaction
 * (revokeKeysInAdminHands, given only the tx) is passed over from then until a read shows it revoked. A fill that
 * began before any change (the generation moved) is not kept, so a read from before a commit cannot outlive it.
 */
class ActorCache {
  private readonly byHash = new Map<string, { keyId: string; actor: Actor }>();

  get(hash: string): Actor | undefined {
    const entry = this.byHash.get(hash);
    if (entry === undefined || pendingRevocations.has(entry.keyId)) return undefined;
    return entry.actor;
  }

  set(hash: string, keyId: string, actor: Actor, since: number): void {
    if (since !== generation || pendingRevocations.has(keyId)) return;
    if (this.byHash.size >= ACTOR_CACHE_LIMIT) this.byHash.delete(this.byHash.keys().next().value as string);
    this.byHash.set(hash, { keyId, actor });
  }

  seenRevoked(keyId: string): void {
    if (pendingRevocations.delete(keyId)) this.forget({ key: keyId });
  }

  forget(what: { key: string } | { member: string }): void {
    generation++;
    for (const [hash, { keyId, actor }] of this.byHash) {
      if ("key" in what ? keyId === what.key : actor.member.id === what.member) this.byHash.delete(hash);
    }
  }
}

const ACTOR_CACHE_LIMIT = 10_000;
const actorCaches = new WeakMap<Store, ActorCache>();
/** Moves on every change: a fill keeps its actor only if nothing changed since it began reading. */
let generation = 0;
/**
 * Keys (their ids are unique across stores) revoked by transactions not yet seen committed. One whose transaction
 * rolled back stays here, and that key is then read from the store on every request: correct, and rare.
 */
const pendingRevocations = new Set<string>();

function markRevoking(keyId: string): void {
  pendingRevocations.add(keyId);
  generation++;
}

function actorCacheOf(store: Store): ActorCache | null {
  if (store.adapter !== "sqlite") return null;
  let cache = actorCaches.get(store);
  if (cache === undefined) actorCaches.set(store, (cache = new ActorCache()));
  return cache;
}
