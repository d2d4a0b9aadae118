// The document kinds of console sign-in, merged into the service's schema (service/schema.ts).
import { kind, type Schema } from "../store/schema";
import type { Store as StoreOf, Tx as TxOf } from "../store/port";
import type { DomainSchema } from "../domain/schema";
import type { ConsoleSession, Invitation, Passkey, WebAuthnChallenge } from "./model";

/** How long a used or expired invitation is kept, so that a second try learns INVITATION_USED or INVITATION_EXPIRED. */
export const INVITATION_KEPT_AFTER_EXPIRY_MS = 7 * 24 * 3_600_000;

export const CONSOLE_AUTH_SCHEMA = {
  invitations: kind<Invitation>({ label: "invitation", uniqueKeys: (i) => [`hash:${i.hash}`], indexed: ["member"], expires: { field: "expiresAt", afterMs: INVITATION_KEPT_AFTER_EXPIRY_MS } }),
  passkeys: kind<Passkey>({ label: "passkey", uniqueKeys: (p) => [`credential:${p.credentialId}`], indexed: ["member"] }),
  consoleSessions: kind<ConsoleSession>({ label: "session", uniqueKeys: (s) => [`hash:${s.hash}`], indexed: ["member"], expires: { field: "expiresAt", afterMs: 0 } }),
  webauthnChallenges: kind<WebAuthnChallenge>({ label: "challenge", uniqueKeys: (c) => [`challenge:${c.challenge}`], expires: { field: "expiresAt", afterMs: 0 } }),
} satisfies Schema;

export type ConsoleAuthSchema = DomainSchema & typeof CONSOLE_AUTH_SCHEMA;
export type ConsoleAuthStore = StoreOf<ConsoleAuthSchema>;
export type ConsoleAuthTx = TxOf<ConsoleAuthSchema>;
