// Console sessions: opened by a passkey, found by the SHA-256 of their cookie, ended by deletion (so a revoked session
// stops working at the next request), idle after 12 hours, over after 7 days, and dead once their member leaves.
import { refuse } from "../domain/errors";
import { getOwned } from "../domain/lookup";
import { newId } from "../domain/ids";
import { requirePower, sessionRevokeAction } from "../domain/policy";
import { holdsGrant } from "../domain/api-keys";
import { hashSecret, newSecret } from "./secrets";
import { SESSION_IDLE_MS, SESSION_MAX_MS, type ConsoleAuthContext } from "./context";
import type { ConsoleAuthTx } from "./schema";
import type { Actor } from "../domain/context";
import type { Member } from "../domain/model";
import type { ConsoleSession } from "./model";

/** A session just opened, with its cookie's secret (given to the browser once, never stored). */
export interface OpenedSession {
  session: ConsoleSession;
  secret: string;
  member: Member;
}

/** Idle expiry is moved on at most this often, so that a busy console does not write on every request. */
const SLIDE_EVERY_MS = 60_000;

export async function openSessionIn(tx: ConsoleAuthTx, now: Date, member: Member, passkey: string): Promise<OpenedSession> {
  const secret = newSecret();
  const maxUntil = new Date(now.getTime() + SESSION_MAX_MS);
  const session: ConsoleSession = {
    id: newId("ss"), company: member.company, member: member.id, hash: hashSecret(secret), passkey, createdAt: now.toISOString(),
    expiresAt: earlier(new Date(now.getTime() + SESSION_IDLE_MS), maxUntil).toISOString(), maxUntil: maxUntil.toISOString(), lastSeenAt: now.toISOString(), stepUpUntil: null,
  };
  await tx.consoleSessions.insert(session);
  return { session, secret, member };
}

/** The live session a cookie's secret names and its member acting, or null (the caller answers 401 without saying why). */
export async function authenticateSession(ctx: ConsoleAuthContext, secret: string): Promise<{ session: ConsoleSession; actor: Actor } | null> {
  const now = ctx.now();
  let session = await ctx.store.consoleSessions.getByKey(`hash:${hashSecret(secret)}`);
  if (session === null || !isLive(session, now)) return null;
  const member = await ctx.store.members.get(session.member);
  if (member === null || !member.active || member.company !== session.company) return null;
  if (now.getTime() - Date.parse(session.lastSeenAt) >= SLIDE_EVERY_MS) session = await slide(ctx, session.id, now);
  return session === null ? null : { session, actor: { company: member.company, member } };
}

export function isLive(session: ConsoleSession, now: Date): boolean {
  return Date.parse(session.expiresAt) > now.getTime() && Date.parse(session.maxUntil) > now.getTime();
}

/** Moves the idle expiry on; null when the session was ended meanwhile. */
async function slide(ctx: ConsoleAuthContext, id: string, now: Date): Promise<ConsoleSession | null> {
  return ctx.store.transaction(async (tx) => {
    const current = await tx.consoleSessions.get(id);
    if (current === null) return null;
    const moved = { ...current, lastSeenAt: now.toISOString(), expiresAt: earlier(new Date(now.getTime() + SESSION_IDLE_MS), new Date(current.maxUntil)).toISOString() };
    await tx.consoleSessions.update(moved);
    return moved;
  });
}

/** The member's own live sessions, oldest first. */
export async function listOwnSessions(ctx: ConsoleAuthContext, actor: Actor): Promise<ConsoleSession[]> {
  const now = ctx.now();
  return (await ctx.store.consoleSessions.list(actor.company, { member: actor.member.id })).filter((s) => isLive(s, now));
}

/** Ends one of the caller's own sessions; another member's is NOT_FOUND, as if it did not exist. */
export async function endOwnSession(ctx: ConsoleAuthContext, actor: Actor, sessionId: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const session = await tx.consoleSessions.get(sessionId);
    if (session === null || session.company !== actor.company || session.member !== actor.member.id) refuse("NOT_FOUND", `no session ${sessionId}`, { kind: "session", id: sessionId });
    await tx.consoleSessions.delete(session.id);
  });
}

/** An administrator ends every console session of a member (see sessionRevokeAction); resolves with how many. */
export async function endMemberSessions(ctx: ConsoleAuthContext, actor: Actor, memberId: string): Promise<number> {
  return ctx.store.transaction(async (tx) => {
    const member = await getOwned(tx, "members", actor.company, memberId);
    requirePower(actor, sessionRevokeAction(actor, member, await holdsGrant(tx, member)));
    const sessions = await tx.consoleSessions.list(actor.company, { member: member.id });
    for (const session of sessions) await tx.consoleSessions.delete(session.id);
    return sessions.length;
  });
}

const earlier = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b);
