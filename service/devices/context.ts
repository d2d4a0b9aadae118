// What the device functions receive beside the domain's context: the store with the device kinds, the platform's
// command key, and the SM2 check of message bytes (the same pool that checks usages, so it runs off the event loop).
import type { DomainContext } from "../domain/context";
import type { Sm2KeyPair } from "../evidence";
import type { DeviceStore } from "./schema";

export interface DeviceContext extends DomainContext {
  store: DeviceStore;
  commandKey: Sm2KeyPair;
  verifyMessage: (message: Uint8Array, signature: string, publicKey: string) => Promise<boolean>;
}
