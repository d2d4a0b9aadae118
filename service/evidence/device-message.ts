// Device messages and commands (DESIGN, "Physical seals and smart-seal devices"): {v, device, n, type, at, body, sig},
// signed with SM2 (user id 1234567812345678) over the RFC 8785 bytes of the message without `sig`. A device signs what
// it sends with its own key; the platform signs commands with its command key. The transport is never trusted.
import { canonicalBytes } from "./canonical";
import { sm3 } from "./hash";
import { toHex } from "./bytes";
import { sm2Sign, sm2Verify } from "./sm2";
import type { JsonValue } from "./record";

export const DEVICE_MESSAGE_VERSION = 1;

export interface DeviceMessage {
  v: typeof DEVICE_MESSAGE_VERSION;
  /** The device the message is from (up) or for (down). */
  device: string;
  /** Strictly rising per device and direction. */
  n: number;
  type: string;
  /** The sender's clock, ISO 8601. */
  at: string;
  body: { [key: string]: JsonValue };
  /** r‖s, 128 lowercase hex. */
  sig: string;
}

export type UnsignedDeviceMessage = Omit<DeviceMessage, "sig">;

/** The signed bytes: the message's own fields without `sig`, canonical. */
export function deviceMessageBytes(message: UnsignedDeviceMessage): Uint8Array {
  const { v, device, n, type, at, body } = message;
  return canonicalBytes({ v, device, n, type, at, body });
}

/** SM3 of the signed bytes, hex: two messages with the same hash say the same thing, whatever their signatures. */
export function deviceMessageHash(message: UnsignedDeviceMessage): string {
  return deviceMessageBytesHash(deviceMessageBytes(message));
}

/** deviceMessageHash of bytes already made with deviceMessageBytes (checking a signature needs them too). */
export function deviceMessageBytesHash(bytes: Uint8Array): string {
  return toHex(sm3(bytes));
}

export function signDeviceMessage(message: UnsignedDeviceMessage, privateKey: string): DeviceMessage {
  const { v, device, n, type, at, body } = message;
  return { v, device, n, type, at, body, sig: sm2Sign(deviceMessageBytes(message), privateKey) };
}

export function verifyDeviceMessage(message: DeviceMessage, publicKey: string): boolean {
  return sm2Verify(deviceMessageBytes(message), message.sig, publicKey);
}
