// The expiry job: one node at a time (the job runner's lease) closes the authorizations whose window has ended and
// sends each device its signed `unlock-cancel`, so a seal left unlocked locks itself on time even if it never speaks.
import { JobRunner } from "../jobs/runner";
import { expireDueAuthorizations } from "./authorizations";
import type { Sm2KeyPair } from "../evidence";
import type { DeviceStore } from "./schema";

/** An authorization is cancelled on its device at most this long after its window ends. */
export const EXPIRY_POLL_MS = 5_000;

export interface AuthorizationExpiryOptions {
  commandKey: Sm2KeyPair;
  holder: string;
  now: () => Date;
  log: (line: string) => void;
  pollMs?: number;
}

export function authorizationExpiry(store: DeviceStore, options: AuthorizationExpiryOptions): JobRunner {
  const { commandKey, holder, now, log, pollMs = EXPIRY_POLL_MS } = options;
  const pass = async () => {
    const closed = await expireDueAuthorizations(store, commandKey, now());
    if (closed > 0) log(`authorization-expiry: ${closed} authorization(s) expired and cancelled on their devices`);
    return false;
  };
  return new JobRunner(store.leases, { pass }, { name: "authorization-expiry", holder, leaseTtlMs: Math.max(30_000, 3 * pollMs), pollMs, now, log });
}
