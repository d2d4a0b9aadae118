// WebAuthn challenges, kept server side: handed out once, taken back once (deleted as they are taken), for five minutes.
import { refuse } from "../domain/errors";
import { newId } from "../domain/ids";
import { CHALLENGE_TTL_MS } from "./context";
import type { ConsoleAuthTx } from "./schema";
import type { ChallengePurpose, WebAuthnChallenge } from "./model";

export async function keepChallenge(tx: ConsoleAuthTx, now: Date, challenge: string, purpose: ChallengePurpose, company: string, bound: { invitation?: string; session?: string } = {}): Promise<void> {
  const doc: WebAuthnChallenge = {
    id: newId("ch"), company, challenge, purpose, invitation: bound.invitation ?? null, session: bound.session ?? null, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS).toISOString(),
  };
  await tx.webauthnChallenges.insert(doc);
}

/**
 * Takes the challenge a browser's answer names (in its clientDataJSON) for `purpose`: deleted whatever comes next, so
 * it answers once. Unknown, taken, expired or for another purpose: CHALLENGE_INVALID.
 */
export async function takeChallenge(tx: ConsoleAuthTx, now: Date, clientDataJSON: string, purpose: ChallengePurpose): Promise<WebAuthnChallenge> {
  const named = challengeNamedIn(clientDataJSON);
  const doc = named === null ? null : await tx.webauthnChallenges.getByKey(`challenge:${named}`);
  if (doc === null) refuse("CHALLENGE_INVALID", "the answer names no challenge this service handed out, or one already answered; ask for new options");
  await tx.webauthnChallenges.delete(doc.id);
  if (doc.purpose !== purpose) refuse("CHALLENGE_INVALID", `the challenge was handed out for ${doc.purpose}, not ${purpose}`);
  if (Date.parse(doc.expiresAt) <= now.getTime()) refuse("CHALLENGE_INVALID", "the challenge has expired; ask for new options");
  return doc;
}

function challengeNamedIn(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8"));
    const challenge = typeof data === "object" && data !== null && "challenge" in data ? data.challenge : null;
    return typeof challenge === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(challenge) ? challenge : null;
  } catch {
    return null;
  }
}
