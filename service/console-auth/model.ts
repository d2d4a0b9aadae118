// What console sign-in stores: one-time invitations, members' passkeys, console sessions and the WebAuthn challenges
// waiting for their answer. Every secret (an invitation token, a session cookie) is kept only as its SHA-256.

/** A one-time link for a member to register a passkey; the token is in the link's fragment only, here its hash. */
export interface Invitation {
  id: string;
  company: string;
  member: string;
  hash: string;
  invitedBy: string;
  expiresAt: string;
  /** When it was redeemed; a redeemed invitation is refused as INVITATION_USED. */
  usedAt: string | null;
  createdAt: string;
}

/** A WebAuthn credential of a member: the public key (COSE, base64url) and the signature counter last seen. */
export interface Passkey {
  id: string;
  company: string;
  member: string;
  /** The credential id, base64url, as the authenticator names it. */
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** A console session, found by the SHA-256 of its cookie; revoking it deletes it. */
export interface ConsoleSession {
  id: string;
  company: string;
  member: string;
  hash: string;
  /** The passkey it was opened with. */
  passkey: string;
  createdAt: string;
  /** Idle expiry, moved on by use, never past maxUntil. */
  expiresAt: string;
  maxUntil: string;
  lastSeenAt: string;
  /** Until when a fresh passkey assertion (step-up) counts, or null. */
  stepUpUntil: string | null;
}

export const CHALLENGE_PURPOSES = ["register", "sign-in", "step-up"] as const;
export type ChallengePurpose = (typeof CHALLENGE_PURPOSES)[number];

/**
 * A challenge handed to a browser, kept until its answer comes back once (then deleted) or it expires. Registration
 * challenges are bound to an invitation, step-up ones to a session; sign-in ones to nobody yet.
 */
export interface WebAuthnChallenge {
  id: string;
  /** The company of the invitation or session; CHALLENGE_PARTITION for sign-in, whose member is not yet known. */
  company: string;
  challenge: string;
  purpose: ChallengePurpose;
  invitation: string | null;
  session: string | null;
  expiresAt: string;
}

export const CHALLENGE_PARTITION = "console-sign-in";
