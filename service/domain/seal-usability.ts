// Whether a seal may be put to a use, decided in this one place for grants, requests, approvals, custody,
// reservations and usages alike: a rule written twice would drift.
import { refuse, type DomainErrorCode } from "./errors";
import type { Seal, SealStatus } from "./model";

export type SealUse = "grant" | "request" | "approve" | "custody" | "reserve" | "use";

const USE_WORDS: Record<SealUse, string> = {
  grant: "granted",
  request: "requested",
  approve: "approved for use",
  custody: "taken into custody for use",
  reserve: "reserved for use",
  use: "used",
};

/**
 * Only an active seal is usable, for every use: a suspended seal may be resumed, but nothing done while it was
 * suspended should be waiting to run the moment it is. Each other status has its own code.
 */
const REFUSALS: Record<SealStatus, DomainErrorCode | null> = {
  active: null,
  suspended: "SEAL_SUSPENDED",
  revoked: "SEAL_REVOKED",
  destroyed: "SEAL_DESTROYED",
};

export function sealRefusal(seal: Seal, _use: SealUse): DomainErrorCode | null {
  return REFUSALS[seal.status];
}

export function requireUsable(seal: Seal, use: SealUse): void {
  const code = sealRefusal(seal, use);
  if (code === null) return;
  const details = seal.replacedBy ? { replacedBy: seal.replacedBy } : undefined;
  refuse(code, `the seal is ${seal.status} and cannot be ${USE_WORDS[use]}`, details);
}
