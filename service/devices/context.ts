// What the device functions receive beside the domain's context: the store with the device kinds, the platform's
// command key, and the SM2 check of message bytes (the same pool that checks usages, so it runs off the event loop).
// Crash tests add a failpoint: the process kills itself there (SEALPROOF_FAILPOINT).
import type { DomainContext } from "../domain/context";
import type { Sm2KeyPair } from "../evidence";
import type { DeviceStore } from "./schema";

export interface DeviceContext extends DomainContext {
  store: DeviceStore;
  commandKey: Sm2KeyPair;
  verifyMessage: (message: Uint8Array, signature: string, publicKey: string) => Promise<boolean>;
  failpoint?: (point: DeviceFailpoint) => void;
}

/**
 * device-messages-applied: a device's messages are written in their transaction, not yet committed.
 * device-messages-committed: that transaction is durable, the device not yet told the messages' fates.
 */
export type DeviceFailpoint = "device-messages-applied" | "device-messages-committed";
