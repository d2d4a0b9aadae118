// Signing in with a passkey (discoverable: no user name asked) and stepping up a session with one: options for
// navigator.credentials.get(), then the assertion, checked against the stored public key and signature counter.
import { generateAuthenticationOptions, verifyAuthenticationResponse, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { refuse } from "../domain/errors";
import { keepChallenge, takeChallenge } from "./challenges";
import { openSessionIn, type OpenedSession } from "./sessions";
import { verifiedOrRefused, type AuthenticationAnswer } from "./webauthn-responses";
import { STEP_UP_MS, type ConsoleAuthContext, type RelyingParty } from "./context";
import { CHALLENGE_PARTITION, type ConsoleSession, type Passkey } from "./model";
import type { ConsoleAuthTx } from "./schema";

export async function signInOptions(ctx: ConsoleAuthContext, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = ctx.now();
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: "required" });
  await ctx.store.transaction((tx) => keepChallenge(tx, now, options.challenge, "sign-in", CHALLENGE_PARTITION));
  return options;
}

export async function signIn(ctx: ConsoleAuthContext, rp: RelyingParty, answer: AuthenticationAnswer): Promise<OpenedSession> {
  const now = ctx.now();
  const challenge = await ctx.store.transaction((tx) => takeChallenge(tx, now, answer.response.clientDataJSON, "sign-in"));
  const passkey = await ctx.store.passkeys.getByKey(`credential:${answer.id}`);
  if (passkey === null) refuse("PASSKEY_INVALID", "this passkey is not registered here");
  const counter = await verifiedAssertion(rp, answer, passkey, challenge.challenge);
  return ctx.store.transaction(async (tx) => {
    const member = await tx.members.get(passkey.member);
    if (member === null || !member.active) refuse("MEMBER_INACTIVE", "the passkey's member has left the company");
    await recordUse(tx, passkey.id, counter, now);
    return openSessionIn(tx, now, member, passkey.id);
  });
}

/** Options to step up `session`: only its member's own passkeys are offered. */
export async function stepUpOptions(ctx: ConsoleAuthContext, rp: RelyingParty, session: ConsoleSession): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const passkeys = await tx.passkeys.list(session.company, { member: session.member });
    const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: "required", allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })) });
    await keepChallenge(tx, now, options.challenge, "step-up", session.company, { session: session.id });
    return options;
  });
}

/** A fresh assertion by one of the session member's own passkeys: the session may take stepped-up acts for five minutes. */
export async function stepUp(ctx: ConsoleAuthContext, rp: RelyingParty, session: ConsoleSession, answer: AuthenticationAnswer): Promise<ConsoleSession> {
  const now = ctx.now();
  const challenge = await ctx.store.transaction((tx) => takeChallenge(tx, now, answer.response.clientDataJSON, "step-up"));
  if (challenge.session !== session.id) refuse("CHALLENGE_INVALID", "the challenge was handed out to another session");
  const passkey = await ctx.store.passkeys.getByKey(`credential:${answer.id}`);
  if (passkey === null) refuse("PASSKEY_INVALID", "this passkey is not registered here");
  if (passkey.member !== session.member || passkey.company !== session.company) refuse("PASSKEY_NOT_YOURS", "a step-up is given with one of the signed-in member's own passkeys");
  const counter = await verifiedAssertion(rp, answer, passkey, challenge.challenge);
  return ctx.store.transaction(async (tx) => {
    const current = await tx.consoleSessions.get(session.id);
    if (current === null) refuse("NOT_FOUND", "the session has ended", { kind: "session", id: session.id });
    await recordUse(tx, passkey.id, counter, now);
    const stepped = { ...current, stepUpUntil: new Date(now.getTime() + STEP_UP_MS).toISOString() };
    await tx.consoleSessions.update(stepped);
    return stepped;
  });
}

/** Checks the assertion against the stored key; resolves with the authenticator's new signature counter. */
async function verifiedAssertion(rp: RelyingParty, answer: AuthenticationAnswer, passkey: Passkey, challenge: string): Promise<number> {
  const credential = { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, "base64url")), counter: passkey.counter, transports: passkey.transports };
  const { authenticationInfo } = await verifiedOrRefused(() =>
    verifyAuthenticationResponse({ response: answer, expectedChallenge: challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, credential, requireUserVerification: true }),
  );
  if (answer.response.userHandle !== undefined && Buffer.from(answer.response.userHandle, "base64url").toString("utf8") !== passkey.member) {
    refuse("PASSKEY_INVALID", "the passkey's user handle names another member");
  }
  return authenticationInfo.newCounter;
}

/** Keeps the counter moving (a cloned authenticator shows up as a counter that goes back) and when the passkey was used. */
async function recordUse(tx: ConsoleAuthTx, passkeyId: string, counter: number, now: Date): Promise<void> {
  const current = await tx.passkeys.get(passkeyId);
  if (current === null) refuse("PASSKEY_INVALID", "this passkey is no longer registered");
  if ((current.counter > 0 || counter > 0) && counter <= current.counter) refuse("PASSKEY_INVALID", "the passkey's signature counter went back: an answer was replayed or the authenticator cloned");
  await tx.passkeys.update({ ...current, counter, lastUsedAt: now.toISOString() });
}
