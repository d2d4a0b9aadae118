// Redeeming an invitation: the options for navigator.credentials.create(), then the answer, which registers the passkey
// (member.passkey-registered), marks the invitation used and opens a session, in one transaction.
import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { draft, recordChange } from "../domain/context";
import { newId } from "../domain/ids";
import { keepChallenge, takeChallenge } from "./challenges";
import { openInvitation } from "./invitations";
import { openSessionIn, type OpenedSession } from "./sessions";
import { verifiedOrRefused, type RegistrationAnswer } from "./webauthn-responses";
import { refuse } from "../domain/errors";
import type { ConsoleAuthContext, RelyingParty } from "./context";
import type { Passkey } from "./model";

export async function registrationOptions(ctx: ConsoleAuthContext, rp: RelyingParty, token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = ctx.now();
  return ctx.store.transaction(async (tx) => {
    const { invitation, member } = await openInvitation(tx, token, now);
    const existing = await tx.passkeys.list(member.company, { member: member.id });
    const options = await generateRegistrationOptions({
      rpName: rp.name, rpID: rp.id, userName: member.name, userDisplayName: member.name, userID: new TextEncoder().encode(member.id),
      attestationType: "none", excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      // Discoverable, so that sign-in needs no user name; verified by the device (PIN or biometrics), since the same
      // passkey steps up approvals.
      authenticatorSelection: { residentKey: "required", userVerification: "required" },
    });
    await keepChallenge(tx, now, options.challenge, "register", invitation.company, { invitation: invitation.id });
    return options;
  });
}

export async function redeemInvitation(ctx: ConsoleAuthContext, rp: RelyingParty, token: string, answer: RegistrationAnswer): Promise<OpenedSession> {
  const now = ctx.now();
  // The challenge is taken in a transaction of its own, so that a failed answer has still used it up.
  const challenge = await ctx.store.transaction(async (tx) => {
    const { invitation } = await openInvitation(tx, token, now);
    const taken = await takeChallenge(tx, now, answer.response.clientDataJSON, "register");
    return taken.invitation === invitation.id ? taken : null;
  });
  if (challenge === null) refuse("CHALLENGE_INVALID", "the challenge was handed out for another invitation");
  const { registrationInfo } = await verifiedOrRefused(() =>
    verifyRegistrationResponse({ response: answer, expectedChallenge: challenge.challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true }),
  );
  const { credential } = registrationInfo;
  return ctx.store.transaction(async (tx) => {
    // Again, in the transaction that uses it: of two answers racing on one link, the second finds it used.
    const { invitation, member } = await openInvitation(tx, token, now);
    if ((await tx.passkeys.getByKey(`credential:${credential.id}`)) !== null) refuse("PASSKEY_INVALID", "this passkey is registered already");
    const passkey: Passkey = {
      id: newId("pk"), company: member.company, member: member.id, credentialId: credential.id, publicKey: Buffer.from(credential.publicKey).toString("base64url"),
      counter: credential.counter, transports: credential.transports ?? [], createdAt: now.toISOString(), lastUsedAt: now.toISOString(),
    };
    await tx.passkeys.insert(passkey);
    await tx.invitations.update({ ...invitation, usedAt: now.toISOString() });
    await recordChange(tx, draft("member.passkey-registered", now, member.company, member.id, member.id, { passkey: passkey.id, invitation: invitation.id }));
    return openSessionIn(tx, now, member, passkey.id);
  });
}
