// What console sign-in functions receive: the store with their kinds, a clock, and the relying party the passkeys
// belong to (PUBLIC_BASE_URL's host name and origin).
import type { ConsoleAuthStore } from "./schema";

export interface ConsoleAuthContext {
  store: ConsoleAuthStore;
  now: () => Date;
}

/** The WebAuthn relying party: passkeys are scoped to `id`, assertions must come from pages at `origin`. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The relying party of the service reached at `baseUrl`: its host name and its origin. */
export function relyingPartyOf(baseUrl: string): RelyingParty {
  const url = new URL(baseUrl);
  return { id: url.hostname, origin: url.origin, name: "sealproof" };
}

/** How long things last: an invitation a day, a challenge five minutes, a session 12 h idle and 7 days at most, a step-up five minutes. */
export const INVITATION_TTL_MS = 24 * 3_600_000;
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const SESSION_IDLE_MS = 12 * 3_600_000;
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;
export const STEP_UP_MS = 5 * 60_000;
